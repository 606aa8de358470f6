package io.procmon.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires one {@link EventSource} to any number of {@link EventSink}s.
 *
 * <p>The source's thread only puts events into a bounded queue; one dispatch thread takes them,
 * resolves user names, and hands them to every sink in order (see {@link EventSink} for the
 * threading contract). When the queue is full the event is dropped — the kernel reader is never
 * stalled — and the number dropped reaches the sinks as a {@link LostEvents.Origin#DISPATCH_QUEUE}
 * notice as soon as there is room again, and in {@link #stats()}.
 *
 * <p>Sinks are flushed whenever the queue is empty after a batch (a source that hands its events
 * over in batches, as the eBPF reader does, gets one flush per batch) and at least every
 * {@code flushInterval} while events flow without a pause.
 * {@link #close()} stops the source, delivers every event already received, flushes and closes
 * the sinks; it is idempotent.
 */
public final class Monitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);
    private static final Object STOP = new Object();
    /** Wakes the dispatcher and is dropped: it then does what was asked of it (a reopen). */
    private static final Object WAKE = new Object();

    private final EventSource source;
    private final List<SinkSlot> sinks;
    private final java.util.function.Consumer<MonitorFailure> failureHandler;
    private final java.util.concurrent.atomic.AtomicBoolean failureReported = new java.util.concurrent.atomic.AtomicBoolean();
    private final UserNameResolver userNames;
    private final Host host;
    private final java.util.function.Predicate<ProcessEvent> filter;
    /** With {@link Builder#joinParents()}: every event joined with its parent's, on the dispatch thread only. */
    private final ProcessTable parents;
    private final BlockingQueue<Object> queue;
    private final int queueCapacity;
    /** The bytes the events in the queue hold (their arguments may be 32 KiB each), and the most they may. */
    private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();
    private final long queueBytesCapacity;
    private final long flushIntervalNanos;
    /** Whether a sink wants {@link EventSink#flush()} while no event comes. */
    private final boolean idleFlush;
    private final Thread dispatcher;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong filtered = new AtomicLong();
    private final AtomicLong droppedNotYetReported = new AtomicLong();
    /**
     * Loss notices that found the queue full, merged per origin and CPU (so a handful at most), queued
     * as soon as there is room and dispatched at the latest when the monitor closes: the sinks get
     * every loss in the data, not only in the totals.
     */
    private final Map<String, LostEvents> heldNotices = new LinkedHashMap<>();
    private volatile boolean noticesHeld;
    private final Map<String, LostEvents> lostTotals = new LinkedHashMap<>();
    private static final long LOSS_WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private volatile long lastLossWarning;

    private final Object lifecycle = new Object();
    private boolean started;
    private boolean closed;
    private volatile boolean attached;
    private volatile boolean stopped;
    /** Set by {@link #reopenSinks()}, taken by the dispatcher between records. */
    private volatile boolean reopenRequested;
    private volatile EventSourceException sourceFailure;
    /** The newest event handed to the sinks: written by the dispatcher, read by {@link #stats()}. */
    private volatile ProcessEvent lastDelivered;

    private Monitor(Builder b) {
        this.source = b.source;
        this.failureHandler = b.failureHandler;
        this.sinks = java.util.stream.IntStream.range(0, b.sinks.size())
                .mapToObj(i -> new SinkSlot(b.sinkNames.get(i), b.sinks.get(i), b.sinkPolicies.get(i), this::failed)).toList();
        this.userNames = b.userNames;
        this.host = b.host;
        this.filter = b.filter;
        this.parents = b.joinParents ? new ProcessTable() : null;
        this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
        this.queueCapacity = b.queueCapacity;
        this.queueBytesCapacity = b.queueBytes;
        this.flushIntervalNanos = b.flushInterval.toNanos();
        this.idleFlush = b.sinks.stream().anyMatch(EventSink::flushesWhenIdle);
        this.dispatcher = new Thread(this::dispatchLoop, "procmon-dispatch");
        this.dispatcher.setDaemon(true);
    }

    public static Builder builder(EventSource source) {
        return new Builder(source);
    }

    /**
     * Starts dispatching, then the source.
     *
     * @throws EventSourceException when the source cannot start (the monitor is then closed)
     */
    public void start() {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "monitor is closed" : "monitor already started");
            }
            started = true;
            dispatcher.start();
        }
        try {
            source.start(new QueueingListener());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        attached = true;
    }

    /**
     * Whether the monitor is doing its job now: started and attached, not closed, its source
     * reading, its dispatcher running, and no sink failing (its latest call threw, or it reports a
     * {@link EventSink#failure()}). Cheap; any thread.
     */
    public Health health() {
        if (stopped) {
            return Health.problem("stopped");
        }
        if (!attached) {
            return Health.problem("not attached yet");
        }
        EventSourceException failure = sourceFailure;
        if (failure != null) {
            return Health.problem("event source failed: " + failure.getMessage());
        }
        if (!dispatcher.isAlive()) {
            return Health.problem("dispatch thread stopped");
        }
        for (SinkSlot slot : sinks) {
            String problem = slot.problem();
            if (problem != null) {
                return Health.problem("sink " + slot.name + " failing: " + problem);
            }
        }
        return Health.OK;
    }

    /** Current counters. */
    public MonitorStats stats() {
        List<MonitorStats.SinkStats> perSink = sinks.stream()
                .map(s -> new MonitorStats.SinkStats(s.name, s.written.get(), s.failures.get())).toList();
        long failures = perSink.stream().mapToLong(MonitorStats.SinkStats::failures).sum();
        ProcessEvent last = lastDelivered;
        Map<String, LostEvents> lost;
        synchronized (lostTotals) {
            lost = new LinkedHashMap<>(lostTotals);
        }
        long pendingDrops = droppedNotYetReported.get();
        if (pendingDrops > 0) {
            addLost(lost, new LostEvents(LostEvents.Origin.DISPATCH_QUEUE, LostEvents.NO_CPU, pendingDrops));
        }
        return new MonitorStats(received.get(), delivered.get(), filtered.get(), new ArrayList<>(lost.values()), failures,
                perSink, queue.size(), queueCapacity, java.util.Optional.ofNullable(last).flatMap(ProcessEvent::endTime));
    }

    /**
     * Asks every sink to reopen its output ({@link EventSink#reopen()}), as after log rotation. Safe
     * from any thread, a signal handler's included; the dispatcher does it between records within
     * about {@code flushInterval}. A sink that fails to reopen fails by its {@link SinkFailurePolicy}.
     */
    public void reopenSinks() {
        reopenRequested = true;
        queue.offer(WAKE); // an idle dispatcher sleeps up to a second; a full queue has it awake anyway
    }

    /**
     * Stops the source, delivers everything already received to the sinks, flushes and closes them.
     * Idempotent; must not be called from a sink.
     */
    @Override
    public void close() {
        if (Thread.currentThread() == dispatcher) {
            // Checked first: a refused call must not mark the monitor closed for the real one.
            throw new IllegalStateException("Monitor.close() called from a sink on the dispatch thread");
        }
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stopped = true;
        try {
            source.close();
        } catch (RuntimeException e) {
            LOG.warn("event source failed to close cleanly: {}", e.toString());
        }
        if (dispatcher.isAlive()) {
            putUninterruptibly(STOP);
            Threads.joinUninterruptibly(dispatcher);
        } else {
            closeSinks();
        }
    }

    /** Most events dispatched per drain of the queue. */
    private static final int BATCH = 1024;
    /** How often the sinks are flushed while no event comes. */
    private static final long IDLE_FLUSH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    // The dispatch thread's own state.
    private final java.util.List<Object> batch = new ArrayList<>(BATCH);
    private long lastFlush;
    private boolean dirty;

    private void dispatchLoop() {
        lastFlush = System.nanoTime();
        try {
            while (dispatchRound()) {
                // each round is a method of its own: see dispatchRound
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (Object item; (item = queue.poll()) != null && item != STOP; ) {
                dispatch(item);
            }
        } finally {
            reportDrops();
            closeSinks();
        }
    }

    /**
     * Waits for events, dispatches them in a batch, flushes the sinks when due; false once
     * {@link #STOP} is taken. A method of its own, like {@link #dispatchBatch}: the body of a loop that
     * runs for the monitor's whole life would stay interpreted until on-stack replacement, tens of
     * thousands of events later; a method is compiled after a few hundred calls.
     */
    private boolean dispatchRound() throws InterruptedException {
        // Idle, it sleeps until the next event or idle flush, not every flush interval: an idle host's cost.
        Object item;
        if (dirty || idleFlush) {
            long wait = Math.max(0, lastFlush + (dirty ? flushIntervalNanos : IDLE_FLUSH_INTERVAL_NANOS) - System.nanoTime());
            item = queue.poll(wait, TimeUnit.NANOSECONDS);
        } else {
            item = queue.take();
        }
        if (item == STOP) {
            return false;
        }
        if (item != null) {
            dispatch(item);
            dirty = true;
            // Take what else is there in one go: a source hands a batch over at once, so the
            // dispatcher wakes once for it, and a wake-up costs more than the events it brings.
            queue.drainTo(batch, BATCH);
            if (dispatchBatch()) {
                return false;
            }
        }
        long sinceFlush = System.nanoTime() - lastFlush;
        boolean paused = dirty && queue.isEmpty(); // the batch is written now: the source's own delay bounds a row's
        if (paused || (dirty ? sinceFlush >= flushIntervalNanos : idleFlush && sinceFlush >= IDLE_FLUSH_INTERVAL_NANOS)) {
            // Idle too, now and then: a sink may have work of its own (Kafka announces the losses
            // it could not announce while its queue was full).
            flushSinks();
            dirty = false;
            lastFlush = System.nanoTime();
        }
        if (reopenRequested) {
            reopenRequested = false;
            for (SinkSlot sink : sinks) {
                sink.call(EventSink::reopen, "reopen");
            }
        }
        return true;
    }

    /** Dispatches the drained batch and empties it; true when it held {@link #STOP}. */
    private boolean dispatchBatch() {
        try {
            for (Object item : batch) {
                if (item == STOP) {
                    return true;
                }
                dispatch(item);
            }
            return false;
        } finally {
            batch.clear();
        }
    }

    private void dispatch(Object item) {
        if (item instanceof ProcessEvent event) {
            queuedBytes.addAndGet(-event.retainedBytes());
            if (parents != null) {
                event = parents.join(event); // before the filter: a parent is learned even when its own records are filtered out
            }
            if (!filter.test(event)) {
                filtered.incrementAndGet();
                return;
            }
            ProcessEvent enriched = event.enriched(userNames.nameOf(event.uid()), host);
            for (SinkSlot sink : sinks) {
                sink.onEvent(enriched);
            }
            lastDelivered = enriched;
            delivered.incrementAndGet();
        } else if (item instanceof LostEvents lost) {
            for (SinkSlot sink : sinks) {
                sink.call(s -> s.onLost(lost), "onLost");
            }
        }
    }

    private void flushSinks() {
        for (SinkSlot sink : sinks) {
            sink.call(EventSink::flush, "flush");
        }
    }

    private void closeSinks() {
        flushSinks();
        for (SinkSlot sink : sinks) {
            sink.call(EventSink::close, "close");
        }
    }

    /** Hands held notices, and queue drops that never found room for their notice, straight to the sinks. */
    private void reportDrops() {
        List<LostEvents> held;
        synchronized (heldNotices) {
            held = new ArrayList<>(heldNotices.values());
            heldNotices.clear();
            noticesHeld = false;
        }
        held.forEach(this::dispatch);
        long dropped = droppedNotYetReported.getAndSet(0);
        if (dropped > 0) {
            LostEvents notice = new LostEvents(LostEvents.Origin.DISPATCH_QUEUE, LostEvents.NO_CPU, dropped);
            recordLost(notice);
            dispatch(notice);
        }
    }

    private void recordLost(LostEvents lost) {
        long total;
        synchronized (lostTotals) {
            addLost(lostTotals, lost);
            total = lostTotals.values().stream().mapToLong(LostEvents::count).sum();
        }
        // A loss storm brings many notices: warn at most every few seconds, with the running total.
        long now = System.nanoTime();
        if (now - lastLossWarning >= LOSS_WARNING_INTERVAL_NANOS || lastLossWarning == 0) {
            lastLossWarning = now;
            LOG.warn("{}; {} lost so far", lost, total);
        } else {
            LOG.debug("{}", lost);
        }
    }

    /** Adds a notice to totals kept per origin and CPU. */
    private static void addLost(Map<String, LostEvents> totals, LostEvents lost) {
        totals.merge(lost.origin() + "/" + lost.cpu(), lost,
                (a, b) -> new LostEvents(a.origin(), a.cpu(), a.count() + b.count()));
    }

    private void putUninterruptibly(Object item) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(item);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Hands the first failure that stops the monitor to the handler (or the log); later ones are only counted. */
    private void failed(MonitorFailure failure) {
        if (failureHandler == null) {
            LOG.error("{}; {}", failure.message(), failure.sourceFailed()
                    ? "no more events will be recorded" : "the sink is halted, the others go on");
            return;
        }
        if (failureReported.compareAndSet(false, true)) {
            try {
                failureHandler.accept(failure);
            } catch (RuntimeException e) {
                LOG.error("the failure handler threw: {}", e.toString());
            }
        }
    }

    /** Runs on the source's thread: never blocks. */
    private final class QueueingListener implements SourceListener {
        @Override
        public void onEvent(ProcessEvent event) {
            received.incrementAndGet();
            offerDropNotice();
            if (noticesHeld) {
                offerHeldNotices();
            }
            // Bounded in events and in bytes: long command lines must not fill the heap either.
            long bytes = event.retainedBytes();
            if (queuedBytes.get() + bytes > queueBytesCapacity || !queue.offer(event)) {
                droppedNotYetReported.incrementAndGet();
            } else {
                queuedBytes.addAndGet(bytes);
            }
        }

        @Override
        public void onLost(LostEvents lost) {
            recordLost(lost);
            if (noticesHeld) {
                offerHeldNotices();
            }
            if (!queue.offer(lost)) {
                synchronized (heldNotices) {
                    addLost(heldNotices, lost);
                    noticesHeld = true;
                }
            }
        }

        private void offerHeldNotices() {
            synchronized (heldNotices) {
                for (var it = heldNotices.values().iterator(); it.hasNext(); ) {
                    if (!queue.offer(it.next())) {
                        return;
                    }
                    it.remove();
                }
                noticesHeld = false;
            }
        }

        @Override
        public void onFailure(EventSourceException failure) {
            sourceFailure = failure;
            failed(new MonitorFailure(null, failure));
        }

        private void offerDropNotice() {
            long dropped = droppedNotYetReported.get();
            if (dropped > 0) {
                LostEvents notice = new LostEvents(LostEvents.Origin.DISPATCH_QUEUE, LostEvents.NO_CPU, dropped);
                if (queue.offer(notice)) {
                    droppedNotYetReported.addAndGet(-dropped);
                    recordLost(notice);
                }
            }
        }
    }

    /**
     * A sink, its name and counts; the first failure is logged in one line (its trace at debug
     * level), later ones counted. The counts are written by the dispatch thread only.
     */
    private static final class SinkSlot {
        private final String name;
        private final EventSink sink;
        private final SinkFailurePolicy policy;
        private final java.util.function.Consumer<MonitorFailure> onStop;
        private final AtomicLong written = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        /**
         * The message of the latest failure; null once the call that failed succeeds again. Another
         * call's success does not clear it: sinks are flushed after every batch, and a flush that has
         * nothing to do must not hide that every event fails.
         */
        private volatile String lastFailure;
        private String lastFailedCall;
        /** Set at the first failure under {@link SinkFailurePolicy#STOP}: only close is called from then on. */
        private volatile boolean halted;

        SinkSlot(String name, EventSink sink, SinkFailurePolicy policy, java.util.function.Consumer<MonitorFailure> onStop) {
            this.name = name;
            this.sink = sink;
            this.policy = policy;
            this.onStop = onStop;
        }

        // Not through call: a lambda per event would be allocated on the hottest path.
        void onEvent(ProcessEvent event) {
            if (halted) {
                return;
            }
            try {
                sink.onEvent(event);
                written.lazySet(written.get() + 1); // one writer: no atomic read-modify-write needed
                succeeded("onEvent");
            } catch (RuntimeException | Error e) {
                failed(e, "onEvent");
            }
        }

        void call(java.util.function.Consumer<EventSink> action, String what) {
            if (halted && !"close".equals(what)) {
                return;
            }
            try {
                action.accept(sink);
                succeeded(what);
            } catch (RuntimeException | Error e) {
                failed(e, what);
            }
        }

        /** What is wrong with this sink now, or null. */
        String problem() {
            String failure = lastFailure;
            if (failure != null) {
                return failure;
            }
            try {
                return sink.failure().orElse(null);
            } catch (RuntimeException e) {
                return "its health check threw " + e;
            }
        }

        private void succeeded(String what) {
            if (lastFailure != null && !halted && what.equals(lastFailedCall)) {
                lastFailure = null;
            }
        }

        private void failed(Throwable e, String what) {
            if (e instanceof VirtualMachineError vmError) {
                throw vmError;
            }
            lastFailedCall = what;
            lastFailure = what + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            boolean first = failures.getAndIncrement() == 0;
            if (policy == SinkFailurePolicy.STOP && !halted) {
                halted = true;
                LOG.debug("sink {} failure stops the monitor", sink, e);
                onStop.accept(new MonitorFailure(name, e)); // reported there: not logged twice
                return;
            }
            if (first) {
                // Mostly the environment (disk full, closed pipe): one line; the trace is for debugging.
                LOG.error("sink {} failed in {}: {} (further failures are only counted)", sink, what, e.getMessage());
                LOG.debug("sink {} failure", sink, e);
            }
        }
    }

    /** Configures a {@link Monitor}. */
    public static final class Builder {
        private final EventSource source;
        private final List<EventSink> sinks = new ArrayList<>();
        private final List<String> sinkNames = new ArrayList<>();
        private final List<SinkFailurePolicy> sinkPolicies = new ArrayList<>();
        private java.util.function.Consumer<MonitorFailure> failureHandler;
        private UserNameResolver userNames = UserNameResolver.system();
        private Host host;
        private int queueCapacity = 65_536;
        private long queueBytes = 32L << 20;
        private Duration flushInterval = Duration.ofMillis(100);
        private java.util.function.Predicate<ProcessEvent> filter = e -> true;
        private boolean joinParents;

        private Builder(EventSource source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        /** Adds a sink named {@code sink1}, {@code sink2}... by its position; see {@link #sink(String, EventSink)}. */
        public Builder sink(EventSink sink) {
            return sink("sink" + (sinks.size() + 1), sink);
        }

        /**
         * Adds a sink; sinks receive events in the order they were added. {@code name} identifies it
         * in {@link MonitorStats#sinks()} and {@link Monitor#health()} (for example "file", "kafka").
         */
        public Builder sink(String name, EventSink sink) {
            return sink(name, sink, SinkFailurePolicy.CONTINUE);
        }

        /** Adds a sink with what to do when it fails; see {@link SinkFailurePolicy}. */
        public Builder sink(String name, EventSink sink, SinkFailurePolicy policy) {
            Objects.requireNonNull(sink, "sink");
            Objects.requireNonNull(policy, "policy");
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a sink needs a name");
            }
            if (sinkNames.contains(name)) {
                throw new IllegalArgumentException("two sinks named " + name);
            }
            sinks.add(sink);
            sinkNames.add(name);
            sinkPolicies.add(policy);
            return this;
        }

        /**
         * Called once, with the first failure that stops the monitor: its source died, or a sink
         * added with {@link SinkFailurePolicy#STOP} failed. It runs on the thread that saw it (the
         * source's or the dispatcher's), so it must not block or close the monitor itself: it tells
         * the owner, who closes it (the close drains what was received to the other sinks). Without
         * a handler such failures are logged and shown by {@link Monitor#health()}.
         */
        public Builder onFailure(java.util.function.Consumer<MonitorFailure> handler) {
            this.failureHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** The host every event is stamped with; default {@link Host#local()}. */
        public Builder host(Host host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** How uids become names; default {@link UserNameResolver#system()}. */
        public Builder userNames(UserNameResolver resolver) {
            this.userNames = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * Joins every event with its parent's by entity id before the filter ({@link ProcessEvent#parent()},
         * through a {@link ProcessTable} of the default bound). A parent is known from its exec or
         * running record, so the source should send those too; the filter can then drop them.
         */
        public Builder joinParents() {
            this.joinParents = true;
            return this;
        }

        /**
         * Delivers only events that pass {@code filter} (see {@link EventFilters}); the others are
         * counted in {@link MonitorStats#filtered()}. Called on the dispatch thread; must not throw.
         */
        public Builder filter(java.util.function.Predicate<ProcessEvent> filter) {
            this.filter = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /**
         * The most memory the events waiting in the queue may hold, by {@link ProcessEvent#retainedBytes()}
         * (default 32 MiB); beyond it events are dropped and announced as the queue's losses, as when
         * it is full.
         */
        public Builder queueBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("queue bytes must be at least 1: " + bytes);
            }
            this.queueBytes = bytes;
            return this;
        }

        /**
         * The rule for a queue's capacity, stated once for the library and the CLI alike: at least 1.
         *
         * @throws IllegalArgumentException "SUBJECT must be at least 1, got N"
         */
        public static void checkQueueCapacity(String subject, int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException(subject + " must be at least 1, got " + capacity);
            }
        }

        /** Events held between the source and the sinks; default 65,536. */
        public Builder queueCapacity(int capacity) {
            checkQueueCapacity("queue capacity", capacity);
            this.queueCapacity = capacity;
            return this;
        }

        /** Longest time an event waits in a sink's buffer while events flow without a pause; default 100 ms. */
        public Builder flushInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("flush interval must be positive: " + interval);
            }
            this.flushInterval = interval;
            return this;
        }

        public Monitor build() {
            if (host == null) {
                host = Host.local();
            }
            return new Monitor(this);
        }
    }
}
