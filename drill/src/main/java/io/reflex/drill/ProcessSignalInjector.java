package io.reflex.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Kills or stops a service that a process connector runs: reads its pid from the file the
 * connector keeps ({@code <dataDir>/run/<service>.pid}, see ProcessConnector#pidFile) and signals
 * that process. The drill does not go through the connector on purpose: the fault must look like
 * a crash (or someone's stop) to Reflex, not like a remediation it ordered.
 */
public final class ProcessSignalInjector implements FaultInjector {
    private final Path dataDir;
    private final Clock clock;

    /** @param dataDir the data dir of the Reflex whose process connector runs the service */
    public ProcessSignalInjector(Path dataDir, Clock clock) {
        this.dataDir = dataDir;
        this.clock = clock;
    }

    /** Where the process connector writes the service's pid. */
    public Path pidFile(String service) {
        return dataDir.resolve("run").resolve(service + ".pid");
    }

    /** The running process of the service, if its pid file names a live one. */
    public Optional<ProcessHandle> process(String service) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile(service)).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public Injection inject(Fault fault) {
        Fault.ProcessSignal signal = (Fault.ProcessSignal) fault;
        Path file = pidFile(signal.service());
        long pid;
        try {
            pid = Long.parseLong(Files.readString(file).trim());
        } catch (NoSuchFileException e) {
            throw new FaultException("no pid file " + file + ": is " + signal.service() + " a service of the process"
                    + " connector of the Reflex using this data dir, and running? (--data-dir)");
        } catch (IOException | NumberFormatException e) {
            throw new FaultException("cannot read the pid of " + signal.service() + " from " + file + ": " + e.getMessage());
        }
        ProcessHandle process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive).orElseThrow(() ->
                new FaultException(signal.service() + " is not running: pid " + pid + " from " + file
                        + " is not a live process"));
        Instant at = clock.instant();
        boolean sent = signal.signal() == Fault.Signal.KILL ? process.destroyForcibly() : process.destroy();
        if (!sent) {
            throw new FaultException("could not send " + signal.signal() + " to pid " + pid + " (" + signal.service()
                    + "); does this user own the process?");
        }
        return new Injection(at, "sent " + signal.signal() + " to " + signal.service() + " (pid " + pid + ")");
    }
}
