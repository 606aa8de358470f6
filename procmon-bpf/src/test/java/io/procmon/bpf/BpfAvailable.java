package io.procmon.bpf;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Enables {@link BpfTest}s where eBPF can run, or always when CI requires them. */
public final class BpfAvailable implements ExecutionCondition {
    public static final String REQUIRE_ENV = "PROCMON_REQUIRE_BPF";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if ("1".equals(System.getenv(REQUIRE_ENV))) {
            return ConditionEvaluationResult.enabled(REQUIRE_ENV + "=1: eBPF tests must run");
        }
        try {
            Preflight.check();
            return ConditionEvaluationResult.enabled("eBPF available");
        } catch (BpfException e) {
            String reason = "SKIPPING eBPF TEST " + context.getDisplayName() + ": eBPF cannot run here: " + e.getMessage()
                    + " (set " + REQUIRE_ENV + "=1 to fail instead)";
            System.err.println("!!!!! " + reason);
            return ConditionEvaluationResult.disabled(reason);
        }
    }
}
