package io.reflex.drill;

import java.time.Instant;

/** Injects a fault the drill causes itself (a process kill or stop); faults through connectors are actions. */
public interface FaultInjector {

    /** What was done and when. */
    record Injection(Instant at, String detail) {
    }

    /**
     * @throws FaultException when the fault cannot be injected (nothing was changed)
     */
    Injection inject(Fault fault);

    /** The fault could not be injected; the message says why and what to check. */
    final class FaultException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public FaultException(String message) {
            super(message);
        }
    }
}
