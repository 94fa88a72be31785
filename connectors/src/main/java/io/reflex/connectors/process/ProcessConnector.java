package io.reflex.connectors.process;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.Target;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manages named local services as real OS processes: restarts, stops and starts them on
 * {@code restart_service}, {@code stop_service} and {@code start_service} actions.
 *
 * <p>Files, under the data directory it is given: {@code logs/<service>.log} (the child's
 * stdout and stderr, appended) and {@code run/<service>.pid} (written on each start, removed
 * on stop; people and tests use it to find the process).
 *
 * <p>Lifecycle: the owner must call {@link #close()} on shutdown (the application closes
 * {@code Connectors} from its shutdown path); it stops every child this connector started.
 * No JVM shutdown hook is registered here: the application owns shutdown ordering. Should the
 * JVM die without closing (SIGKILL), the next start of a service finds its pid file, and stops
 * the leftover process when it is verifiably the one this connector started.
 *
 * <p>Thread safety: any number of threads may call {@link #execute}; restarts, starts and
 * stops of one service are serialised, different services proceed in parallel.
 */
public final class ProcessConnector implements Connector {

    public static final String NAME = "process";
    /** The only target kind this connector acts on. */
    public static final String SERVICE_KIND = "service";
    /** The action types it carries out, in the order its refusals list them. */
    static final List<ActionType> SUPPORTED = List.of(ActionType.RESTART_SERVICE, ActionType.STOP_SERVICE,
            ActionType.START_SERVICE);

    /** How long a stopping service gets after SIGTERM before SIGKILL. */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** How long to wait for the exit after SIGKILL, which the kernel delivers at once. */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);
    /** A service without health URL counts as up when still running after this long. */
    static final Duration SETTLE = Duration.ofSeconds(1);
    static final Duration HEALTH_POLL = Duration.ofMillis(250);
    static final Duration HEALTH_REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /**
     * PID file mtime vs. the action's start: the kernel stamps mtimes from a coarse clock (one
     * tick, a few ms, behind), so a file written just after the action started may look older.
     */
    static final Duration MTIME_SLACK = Duration.ofMillis(100);
    /** Stopping keeps this much of the action's budget for SIGKILL and the exit after it. */
    static final Duration KILL_MARGIN = Duration.ofSeconds(1);
    /** PID file mtime vs. process start time: /proc reports start times from a boot time in whole seconds. */
    static final Duration START_TIME_SLACK = Duration.ofSeconds(2);
    static final int LOG_TAIL_LINES = 20;
    static final int LOG_TAIL_BYTES = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(ProcessConnector.class);

    private final String name;
    private final Path logDir;
    private final Path runDir;
    private final Clock clock;
    private final Map<String, Managed> services;
    private final HealthProbe healthProbe;
    private volatile boolean closed;

    public ProcessConnector(ProcessSettings settings, Path dataDir, Clock clock) {
        this(NAME, settings, dataDir, clock);
    }

    /** Creates the connector; starts nothing (see {@link #startAll()}) and touches no file. */
    public ProcessConnector(String name, ProcessSettings settings, Path dataDir, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.logDir = dataDir.resolve("logs");
        this.runDir = dataDir.resolve("run");
        this.clock = Objects.requireNonNull(clock, "clock");
        final Map<String, Managed> managed = new LinkedHashMap<>();
        settings.services().forEach((service, spec) -> managed.put(service, new Managed(spec)));
        this.services = Collections.unmodifiableMap(managed);
        final boolean anyHealthUrl = settings.services().values().stream().anyMatch(s -> s.health().isPresent());
        this.healthProbe = anyHealthUrl ? new HealthProbe() : null;
    }

    @Override
    public String name() {
        return name;
    }

    /** The configured service names. */
    public Set<String> services() {
        return services.keySet();
    }

    @Override
    public Outcome execute(Action action) throws InterruptedException {
        Objects.requireNonNull(action, "action");
        final Outcome refusal = refusal(action);
        if (refusal != null) {
            return refusal;
        }
        final Managed managed = services.get(action.target().name());
        final String service = managed.spec.name();
        final Verb verb = Verb.of(action.type());
        if (closed) {
            return Outcome.failed("process connector is shut down; " + service + " was not " + verb.done, false);
        }
        if (action.mode() != ActionMode.EXECUTE) {
            // The remediator normally stops rehearsals before they reach a connector; if one
            // gets here anyway, it must not touch the service.
            return Outcome.succeeded(action.mode() + ": would " + verb.word + " " + service + " ("
                    + describeState(managed) + "); nothing was done");
        }
        final Duration budget = Duration.between(clock.instant(), action.deadline());
        if (budget.isNegative() || budget.isZero()) {
            return Outcome.failed("the deadline " + action.deadline() + " passed before the " + verb.word + " of "
                    + service + " began; nothing was done", false);
        }
        LOG.info("{} {} for action {} (incident {}), deadline in {}", verb.doing, service, action.id(),
                action.incidentId(), seconds(budget));
        final Outcome outcome = switch (verb) {
            case RESTART -> restart(managed, budget);
            case STOP -> stopService(managed, budget);
            case START -> startService(managed, budget);
        };
        LOG.info("action {} on {}: {} - {}", action.id(), service, outcome.status(), firstLine(outcome.detail()));
        return outcome;
    }

    /**
     * Looks at the service's pid file and the process it names (not at this object's own
     * state: after a crash of the application, the process may outlive the connector that
     * started it).
     * <ul>
     *   <li>{@code restart_service}, {@code start_service}: APPLIED when the process is alive,
     *       verifiably the service's, started at or after {@code startedAt} and healthy;
     *       NOT_APPLIED when it is not running or was started before {@code startedAt};
     *       UNKNOWN otherwise (started since, but not healthy within its startTimeout; the
     *       pid file unreadable; the start time unknown).</li>
     *   <li>{@code stop_service}: APPLIED when not running, NOT_APPLIED when running (stopping
     *       again is safe).</li>
     * </ul>
     * An action this connector would refuse is NOT_APPLIED: it never did anything, and running
     * it again is refused again.
     */
    @Override
    public Reconciliation reconcile(Action action, Instant startedAt) throws InterruptedException {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(startedAt, "startedAt");
        final Outcome refusal = refusal(action);
        if (refusal != null) {
            return Reconciliation.notApplied("the process connector refuses this action, so it did nothing: "
                    + refusal.detail());
        }
        if (action.mode() != ActionMode.EXECUTE) {
            return Reconciliation.notApplied(action.mode() + " actions never touch the service");
        }
        final Managed managed = services.get(action.target().name());
        final Verb verb = Verb.of(action.type());
        final Duration lockWait = managed.spec.startTimeout().plus(STOP_GRACE).plus(KILL_WAIT);
        // Waiting for the lock means a start or stop in this process finishes first, so its
        // half-done state is not taken for the outcome.
        if (!managed.lock.tryLock(lockWait.toNanos(), TimeUnit.NANOSECONDS)) {
            return Reconciliation.unknown("a start or stop of " + managed.spec.name() + " in this process did not"
                    + " finish within " + seconds(lockWait) + "; look at the service by hand");
        }
        try {
            final Reconciliation found = verb == Verb.STOP
                    ? reconcileStop(managed) : reconcileStart(managed, verb, startedAt);
            LOG.info("reconciled action {} ({} {}, started {}): {} - {}", action.id(), action.type().wireName(),
                    managed.spec.name(), startedAt, found.state(), found.detail());
            return found;
        } finally {
            managed.lock.unlock();
        }
    }

    /** Why the action is not this connector's to run, or null when it is. */
    private Outcome refusal(Action action) {
        if (!SUPPORTED.contains(action.type())) {
            return Outcome.refused("process connector cannot " + action.type().wireName() + "; it supports "
                    + SUPPORTED.stream().map(ActionType::wireName).collect(Collectors.joining(", ")));
        }
        final Target target = action.target();
        if (!SERVICE_KIND.equals(target.kind())) {
            return Outcome.refused("process connector acts on targets of kind '" + SERVICE_KIND + "', not "
                    + ServiceNames.quote(target.kind()) + "; nothing was done");
        }
        final String service = target.name();
        if (!ServiceNames.isValid(service)) {
            return Outcome.refused(ServiceNames.whyInvalid(service) + "; nothing was done");
        }
        if (!services.containsKey(service)) {
            return Outcome.refused("service '" + service + "' is not managed by the process connector (configured: "
                    + (services.isEmpty() ? "none" : String.join(", ", services.keySet()))
                    + "); nothing was done. To manage it, add it under connectors." + name + ".services");
        }
        return null;
    }

    /** The pid of the service's process when it is running and was started by this connector. */
    public OptionalLong pid(String service) {
        final Child child = require(service).child;
        return child != null && child.process.isAlive() ? OptionalLong.of(child.process.pid()) : OptionalLong.empty();
    }

    public boolean isAlive(String service) {
        return pid(service).isPresent();
    }

    public Path logFile(String service) {
        require(service);
        return logDir.resolve(service + ".log");
    }

    public Path pidFile(String service) {
        require(service);
        return runDir.resolve(service + ".pid");
    }

    /**
     * Starts the service unless it is running; does not wait for it to become healthy.
     *
     * @return its pid
     * @throws IllegalArgumentException when the service is not configured
     * @throws IllegalStateException    when it cannot be started (missing program or workdir)
     */
    public long start(String service) {
        final Managed managed = require(service);
        managed.lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("process connector is shut down; cannot start " + service);
            }
            final Child current = managed.child;
            if (current != null && current.process.isAlive()) {
                return current.process.pid();
            }
            reapLeftover(managed, STOP_GRACE);
            try {
                return launch(managed).process.pid();
            } catch (IOException e) {
                throw new IllegalStateException(cannotStart(managed.spec, e), e);
            }
        } finally {
            managed.lock.unlock();
        }
    }

    /**
     * Starts every configured service that is not running (the {@code autostart} setting) and
     * waits, up to each one's {@code startTimeout}, until it is healthy: whatever starts after
     * the connector (a probe watching the service) then finds it up. A service that does not get
     * healthy is logged, not fatal: it is what remediation is for.
     */
    public void startAll() {
        for (Managed managed : services.values()) {
            start(managed.spec.name());
            managed.lock.lock();
            try {
                final Child child = managed.child;
                final Health health = awaitHealthy(managed.spec, child, managed.spec.startTimeout());
                if (health.healthy()) {
                    LOG.info("service {} (pid {}) is healthy after {}", managed.spec.name(), child.process.pid(),
                            seconds(health.after()));
                } else {
                    LOG.warn("service {} (pid {}) did not get healthy within {}: {}; see {}", managed.spec.name(),
                            child.process.pid(), seconds(managed.spec.startTimeout()), health.problem(),
                            logFile(managed.spec.name()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                managed.lock.unlock();
            }
        }
    }

    /**
     * Stops the service and its descendants: SIGTERM, then SIGKILL after a grace period.
     *
     * @return whether a running process was stopped
     */
    public boolean stop(String service) {
        final Managed managed = require(service);
        managed.lock.lock();
        try {
            return stopQuietly(managed);
        } finally {
            managed.lock.unlock();
        }
    }

    /** Stops every child this connector started. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Managed managed : services.values()) {
            managed.lock.lock();
            try {
                stopQuietly(managed);
            } catch (RuntimeException e) {
                LOG.error("could not stop {} on close; find it with {}", managed.spec.name(),
                        runDir.resolve(managed.spec.name() + ".pid"), e);
            } finally {
                managed.lock.unlock();
            }
        }
    }

    private Managed require(String service) {
        final Managed managed = service == null ? null : services.get(service);
        if (managed == null) {
            throw new IllegalArgumentException("service " + (service == null ? "null" : ServiceNames.quote(service))
                    + " is not configured under connectors." + name + ".services (configured: "
                    + (services.isEmpty() ? "none" : String.join(", ", services.keySet())) + ")");
        }
        return managed;
    }

    // --- restart, stop, start --------------------------------------------------------------

    /** The action types, with the words their details use. */
    private enum Verb {
        RESTART("restart", "restarted", "restarting"),
        STOP("stop", "stopped", "stopping"),
        START("start", "started", "starting");

        final String word;
        final String done;
        final String doing;

        Verb(String word, String done, String doing) {
            this.word = word;
            this.done = done;
            this.doing = doing;
        }

        static Verb of(ActionType type) {
            return switch (type) {
                case RESTART_SERVICE -> RESTART;
                case STOP_SERVICE -> STOP;
                case START_SERVICE -> START;
                default -> throw new IllegalArgumentException("process connector cannot " + type.wireName());
            };
        }
    }

    private Outcome restart(Managed managed, Duration budget) throws InterruptedException {
        final String service = managed.spec.name();
        // Waits are measured on the monotonic clock: the injected clock turned the deadline into
        // a budget, and a fixed or stepped clock must not make a wait last forever.
        final long began = System.nanoTime();
        if (!managed.lock.tryLock(budget.toNanos(), TimeUnit.NANOSECONDS)) {
            return busy(service, Verb.RESTART, budget);
        }
        try {
            if (closed) {
                return Outcome.failed("process connector is shut down; " + service + " was not restarted", false);
            }
            final Child old = managed.child;
            final String before;
            if (old != null && old.process.isAlive()) {
                if (!stop(managed, old, stopGrace(began, budget))) {
                    return Outcome.failed("restart of " + service + " failed: pid " + old.process.pid()
                            + " did not exit after SIGTERM and SIGKILL; nothing new was started. Check the process"
                            + " (a process stuck in the kernel, state D, cannot be killed)", true);
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while stopping " + service + "; it was killed");
                }
                before = "pid " + old.process.pid() + " -> ";
            } else if (old != null) {
                before = "pid " + old.process.pid() + " was not running (" + exitDescription(old.process)
                        + "); started pid ";
            } else {
                before = "it was not running; started pid ";
            }
            final String reaped = reapLeftover(managed, stopGrace(began, budget));
            return launchAndAwait(managed, Verb.RESTART, began, budget,
                    "restarted " + service + ": " + (reaped == null ? "" : reaped + "; ") + before);
        } finally {
            managed.lock.unlock();
        }
    }

    /**
     * SIGTERM, then SIGKILL, to the service's process tree; a leftover of an earlier run of the
     * application (found through the pid file) is stopped the same way. Stopping a stopped
     * service succeeds.
     */
    private Outcome stopService(Managed managed, Duration budget) throws InterruptedException {
        final String service = managed.spec.name();
        final long began = System.nanoTime();
        if (!managed.lock.tryLock(budget.toNanos(), TimeUnit.NANOSECONDS)) {
            return busy(service, Verb.STOP, budget);
        }
        try {
            if (closed) {
                return Outcome.failed("process connector is shut down; " + service + " was not stopped", false);
            }
            final Child child = managed.child;
            if (child != null && child.process.isAlive()) {
                if (!stop(managed, child, stopGrace(began, budget))) {
                    return Outcome.failed("stop of " + service + " failed: pid " + child.process.pid()
                            + " did not exit after SIGTERM and SIGKILL. Check the process (a process stuck in the"
                            + " kernel, state D, cannot be killed)", true);
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while stopping " + service + "; it was killed");
                }
                return Outcome.succeeded("stopped " + service + ": pid " + child.process.pid() + " ("
                        + exitDescription(child.process) + ") and its child processes are gone; pid file removed");
            }
            final Optional<ProcessHandle> leftover = leftover(managed);
            if (leftover.isPresent()) {
                final long pid = leftover.get().pid();
                if (!terminate(leftover.get(), leftover.get().descendants().collect(Collectors.toList()),
                        stopGrace(began, budget))) {
                    return Outcome.failed("stop of " + service + " failed: pid " + pid + ", left running by an"
                            + " earlier run of Reflex, did not exit after SIGTERM and SIGKILL", true);
                }
                deletePidFile(service, pid);
                return Outcome.succeeded("stopped " + service + ": pid " + pid + ", left running by an earlier run"
                        + " of Reflex, and its child processes are gone; pid file removed");
            }
            deleteStalePidFile(service);
            return Outcome.succeeded(service + " was not running"
                    + (child == null ? "" : " (pid " + child.process.pid() + " exited: " + exitDescription(child.process) + ")")
                    + "; nothing to stop");
        } finally {
            managed.lock.unlock();
        }
    }

    /** Starts the service and waits until it is healthy, as autostart does; a running healthy one is left alone. */
    private Outcome startService(Managed managed, Duration budget) throws InterruptedException {
        final String service = managed.spec.name();
        final long began = System.nanoTime();
        if (!managed.lock.tryLock(budget.toNanos(), TimeUnit.NANOSECONDS)) {
            return busy(service, Verb.START, budget);
        }
        try {
            if (closed) {
                return Outcome.failed("process connector is shut down; " + service + " was not started", false);
            }
            final Child current = managed.child;
            if (current != null && current.process.isAlive()) {
                final long pid = current.process.pid();
                final Duration waitLimit = min(managed.spec.startTimeout(), left(began, budget));
                final Health health = awaitHealthy(managed.spec, current, waitLimit);
                if (health.healthy()) {
                    return Outcome.succeeded(service + " was already running (pid " + pid + ") and is healthy;"
                            + " nothing was started");
                }
                return Outcome.failed("start of " + service + " failed: it is already running (pid " + pid
                        + ") but not healthy after " + seconds(health.after()) + ": " + health.problem()
                        + ". Nothing was started; restart_service replaces the process. Check its log "
                        + logFile(service), true);
            }
            final String reaped = reapLeftover(managed, stopGrace(began, budget));
            return launchAndAwait(managed, Verb.START, began, budget,
                    "started " + service + ": " + (reaped == null ? "" : reaped + "; ") + "pid ");
        } finally {
            managed.lock.unlock();
        }
    }

    /**
     * The second half of a restart or start: launches a process and waits until it is healthy.
     * Caller holds the lock, has stopped the old process and reaped leftovers.
     *
     * @param success the beginning of the success detail, followed by the new pid
     */
    private Outcome launchAndAwait(Managed managed, Verb verb, long began, Duration budget, String success)
            throws InterruptedException {
        final String service = managed.spec.name();
        final String impostor = answeredBeforeStart(managed.spec, left(began, budget));
        if (impostor != null) {
            return Outcome.failed(verb.word + " of " + service + " failed: " + impostor + "; nothing was started", true);
        }
        final Child next;
        try {
            next = launch(managed);
        } catch (IOException e) {
            return Outcome.failed(verb.word + " of " + service + " failed: " + cannotStart(managed.spec, e), false);
        }
        final long pid = next.process.pid();
        final Duration waitLimit = min(managed.spec.startTimeout(), left(began, budget));
        final Health health = awaitHealthy(managed.spec, next, waitLimit);
        if (health.healthy()) {
            return Outcome.succeeded(success + pid + ", healthy after " + seconds(health.after()));
        }
        final String limit = waitLimit.equals(managed.spec.startTimeout())
                ? "startTimeout " + seconds(waitLimit) : "time left before the action's deadline, " + seconds(waitLimit);
        final String what = next.process.isAlive()
                ? "pid " + pid + " is not healthy after " + seconds(health.after()) + " (limit: " + limit
                + "); last health check: " + health.problem() + ". The process is left running"
                : "pid " + pid + " " + health.problem();
        return Outcome.failed(verb.word + " of " + service + " failed: " + what + ". Check its log "
                + logFile(service) + "; last lines:\n" + logTail(service, next), true);
    }

    private static Outcome busy(String service, Verb verb, Duration budget) {
        return Outcome.failed("another restart, start or stop of " + service + " was still running when the"
                + " deadline came (" + seconds(budget) + "); the " + verb.word + " was not done. Retry once it has"
                + " finished", true);
    }

    /** SIGTERM's grace period: at most {@link #STOP_GRACE}, leaving time for SIGKILL before the deadline. */
    private static Duration stopGrace(long began, Duration budget) {
        final Duration left = left(began, budget).minus(KILL_MARGIN);
        return min(STOP_GRACE, left.isNegative() ? Duration.ZERO : left);
    }

    // --- reconcile -------------------------------------------------------------------------

    private Reconciliation reconcileStop(Managed managed) {
        final String service = managed.spec.name();
        final Running running;
        try {
            running = running(managed);
        } catch (Unreadable e) {
            return Reconciliation.unknown(e.getMessage());
        }
        if (running.handle == null) {
            return Reconciliation.applied(service + " is not running (" + running.why + "): the stop is in place");
        }
        return Reconciliation.notApplied(service + " is running as pid " + running.handle.pid() + " (started "
                + running.started + "): the stop did not take effect; stopping it again is safe");
    }

    private Reconciliation reconcileStart(Managed managed, Verb verb, Instant startedAt) throws InterruptedException {
        final String service = managed.spec.name();
        final Running running;
        try {
            running = running(managed);
        } catch (Unreadable e) {
            return Reconciliation.unknown(e.getMessage());
        }
        if (running.handle == null) {
            return Reconciliation.notApplied(service + " is not running (" + running.why + "): the " + verb.word
                    + " did not take effect, or the service died since; running it again is safe");
        }
        final long pid = running.handle.pid();
        if (running.pidFileWritten.isBefore(startedAt.minus(MTIME_SLACK))) {
            return Reconciliation.notApplied(service + " runs as pid " + pid + ", started " + running.started
                    + ", before the action started at " + startedAt + ": the " + verb.word + " was never done;"
                    + " running it again is safe");
        }
        if (running.started.isBefore(startedAt.minus(START_TIME_SLACK))) {
            // The pid file is newer than its process: someone rewrote or touched it.
            return Reconciliation.unknown("the pid file of " + service + " was written at " + running.pidFileWritten
                    + ", after the action started at " + startedAt + ", but its pid " + pid + " runs since "
                    + running.started + "; look at the service by hand");
        }
        final Optional<URI> url = managed.spec.health();
        if (url.isEmpty()) {
            return Reconciliation.applied(service + " runs as pid " + pid + ", started " + running.started
                    + ", after the action started at " + startedAt + " (no health URL configured)");
        }
        // A start interrupted by the crash may still be warming up: wait out its startTimeout.
        final Duration sinceStart = Duration.between(running.started, clock.instant());
        final Duration window = managed.spec.startTimeout().minus(sinceStart.isNegative() ? Duration.ZERO : sinceStart);
        final long began = System.nanoTime();
        final Duration limit = window.isNegative() ? Duration.ZERO : min(window, managed.spec.startTimeout());
        while (true) {
            final String problem = healthProbe.check(url.get(), HEALTH_REQUEST_TIMEOUT);
            if (problem == null && running.handle.isAlive()) {
                return Reconciliation.applied(service + " runs as pid " + pid + ", started " + running.started
                        + ", after the action started at " + startedAt + ", and GET " + url.get() + " answers 2xx");
            }
            if (!running.handle.isAlive()) {
                return Reconciliation.notApplied(service + " was " + verb.done + " as pid " + pid + " at "
                        + running.started + " but has exited since: running the " + verb.word + " again is safe");
            }
            if (left(began, limit).isZero()) {
                return Reconciliation.unknown(service + " was " + verb.done + " as pid " + pid + " at " + running.started
                        + ", after the action started at " + startedAt + ", but is not healthy: GET " + url.get() + " "
                        + problem + ". Look at the service (log " + logFile(service) + ")");
            }
            try {
                running.handle.onExit().get(min(HEALTH_POLL, left(began, limit)).toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // still running: poll again
            }
        }
    }

    /** The service's process as the pid file names it, or why it is not running. */
    private record Running(ProcessHandle handle, Instant started, Instant pidFileWritten, String why) {
        static Running not(String why) {
            return new Running(null, null, null, why);
        }
    }

    /** The pid file or process cannot be read: nobody can tell whether the service runs. */
    private static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message);
        }
    }

    private Running running(Managed managed) throws Unreadable {
        final String service = managed.spec.name();
        final Path file = runDir.resolve(service + ".pid");
        final Optional<PidFile> pidFile;
        try {
            pidFile = readPidFile(file);
        } catch (IOException | NumberFormatException e) {
            throw new Unreadable("the pid file " + file + " of " + service + " cannot be read (" + e
                    + "); look at the service by hand");
        }
        if (pidFile.isEmpty()) {
            return Running.not("no pid file " + file);
        }
        final long pid = pidFile.get().pid();
        final Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (handle.isEmpty()) {
            return Running.not("pid " + pid + " from its pid file has exited");
        }
        final ProcessHandle.Info info = handle.get().info();
        if (info.startInstant().isEmpty() || info.command().isEmpty()) {
            throw new Unreadable("pid " + pid + " of " + service + " is alive, but its start time or program cannot"
                    + " be read (another user's process?); look at the service by hand");
        }
        if (!isService(managed.spec, info, pidFile.get().written())) {
            return Running.not("pid " + pid + " from its pid file is now another program, "
                    + fileName(info.command().get()) + " started " + info.startInstant().get());
        }
        return new Running(handle.get(), info.startInstant().get(), pidFile.get().written(), null);
    }

    /**
     * Whether the health URL answers while the service is down. Then another process serves
     * that address (a leftover nobody tracks, another program on the port), and a 2xx after
     * the start would prove nothing about the new process, which would only fail to bind.
     */
    private String answeredBeforeStart(ServiceSpec spec, Duration left) throws InterruptedException {
        if (spec.health().isEmpty() || left.isZero()) {
            return null;
        }
        if (healthProbe.check(spec.health().get(), min(Duration.ofSeconds(1), left)) != null) {
            return null;
        }
        return "GET " + spec.health().get() + " answered 2xx although " + spec.name() + " is not running: another"
                + " process serves that address (a leftover of an earlier run?). Stop it (find it with: ss -ltnp)"
                + " and retry";
    }

    private Health awaitHealthy(ServiceSpec spec, Child child, Duration limit) throws InterruptedException {
        final Process process = child.process;
        final long began = System.nanoTime();
        if (limit.isZero()) {
            return Health.failed("could not be checked: no time was left before the action's deadline", since(began));
        }
        final Optional<URI> url = spec.health();
        if (url.isEmpty()) {
            final Duration settle = min(SETTLE, limit);
            if (process.waitFor(settle.toNanos(), TimeUnit.NANOSECONDS)) {
                return Health.failed(exitedAfter(process, began), since(began));
            }
            return Health.ok(since(began));
        }
        String problem = "no check completed within " + seconds(limit);
        while (true) {
            if (!process.isAlive()) {
                return Health.failed(exitedAfter(process, began), since(began));
            }
            final Duration left = left(began, limit);
            if (left.isZero()) {
                return Health.failed(problem, since(began));
            }
            final String error = healthProbe.check(url.get(), min(HEALTH_REQUEST_TIMEOUT, left));
            if (error == null) {
                if (process.isAlive()) {
                    return Health.ok(since(began));
                }
                return Health.failed(exitedAfter(process, began) + ", yet GET " + url.get()
                        + " answered 2xx: another process may be serving that address", since(began));
            }
            problem = "GET " + url.get() + " " + error;
            // Returns early when the process exits, so a crash is reported at once.
            process.waitFor(min(HEALTH_POLL, left(began, limit)).toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private record Health(boolean healthy, String problem, Duration after) {
        static Health ok(Duration after) {
            return new Health(true, null, after);
        }

        static Health failed(String problem, Duration after) {
            return new Health(false, problem, after);
        }
    }

    // --- start and stop ------------------------------------------------------------------

    /** Starts a new process for the service. Caller holds the service's lock and has reaped leftovers. */
    private Child launch(Managed managed) throws IOException {
        final ServiceSpec spec = managed.spec;
        final String service = spec.name();
        Files.createDirectories(logDir);
        Files.createDirectories(runDir);
        if (spec.workdir().isPresent() && !Files.isDirectory(spec.workdir().get())) {
            throw new NoSuchFileException(spec.workdir().get().toString(), null,
                    "workdir does not exist or is not a directory");
        }
        final Path log = logDir.resolve(service + ".log");
        final long logOffset = Files.exists(log) ? Files.size(log) : 0L;
        // A marker, so a person reading the log sees where each run begins.
        Files.writeString(log, "---- " + clock.instant() + " reflex starts " + service + " ----\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);

        // Always an argument vector: no shell sees the command, so nothing in it is expanded.
        final ProcessBuilder builder = new ProcessBuilder(spec.command())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(log.toFile()));
        spec.workdir().ifPresent(dir -> builder.directory(dir.toFile()));
        builder.environment().putAll(spec.env());
        final Process process = builder.start();
        // EOF on stdin: a child that reads it must not wait for us forever.
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            LOG.debug("closing stdin of {} failed", service, e);
        }
        final Child child = new Child(process, logOffset);
        managed.child = child;
        try {
            writePidFile(service, process.pid());
        } catch (IOException e) {
            // Without a pid file a crash of ours would orphan it unnoticed: do not keep it running.
            stop(managed, child, Duration.ZERO);
            throw e;
        }
        process.onExit().thenAccept(exited -> {
            if (!child.stopping) {
                LOG.warn("service {} (pid {}) exited by itself with code {}; its output is in {}",
                        service, exited.pid(), exited.exitValue(), log);
            }
        });
        LOG.info("started service {}: pid {} (program {}), output in {}", service, process.pid(),
                spec.command().get(0), log);
        return child;
    }

    private void writePidFile(String service, long pid) throws IOException {
        final Path file = runDir.resolve(service + ".pid");
        final Path temp = runDir.resolve(service + ".pid.tmp");
        Files.writeString(temp, pid + "\n", StandardCharsets.US_ASCII);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Stops a process left by an earlier run of the application that died without closing
     * us, so the new process does not clash with it (same port) nor live on as an orphan.
     *
     * @return what was done, for the outcome's detail, or null when there was no leftover
     */
    private String reapLeftover(Managed managed, Duration grace) {
        final String service = managed.spec.name();
        final Optional<ProcessHandle> leftover = leftover(managed);
        if (leftover.isEmpty()) {
            return null;
        }
        final long pid = leftover.get().pid();
        LOG.warn("service {}: pid {} from an earlier run is still alive (the application was not shut down"
                + " cleanly); stopping it before starting a new one", service, pid);
        if (!terminate(leftover.get(), leftover.get().descendants().collect(Collectors.toList()), grace)) {
            LOG.error("service {}: leftover pid {} did not exit; the new process may clash with it", service, pid);
            return "pid " + pid + ", left running by an earlier run of Reflex, did not exit";
        }
        return "stopped pid " + pid + ", left running by an earlier run of Reflex";
    }

    /**
     * The live process the pid file names, when it is not our current child and verifiably a
     * process of this service started by an earlier run: started no later than its pid file was
     * written (so the pid was not reused since) and running the configured program.
     */
    private Optional<ProcessHandle> leftover(Managed managed) {
        final String service = managed.spec.name();
        final Path file = runDir.resolve(service + ".pid");
        final Optional<PidFile> pidFile;
        try {
            pidFile = readPidFile(file);
        } catch (IOException | NumberFormatException e) {
            LOG.warn("ignoring unreadable pid file {}: {}", file, e.toString());
            return Optional.empty();
        }
        if (pidFile.isEmpty()) {
            return Optional.empty();
        }
        final long pid = pidFile.get().pid();
        final Child current = managed.child;
        if (current != null && current.process.pid() == pid) {
            return Optional.empty(); // ours, and handled by the caller
        }
        final Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (handle.isEmpty()) {
            return Optional.empty();
        }
        if (!isService(managed.spec, handle.get().info(), pidFile.get().written())) {
            LOG.info("pid file {} names pid {}, which is not a leftover {} (another program, or started later);"
                    + " leaving it alone", file, pid, service);
            return Optional.empty();
        }
        return handle;
    }

    /** Whether a process is the service's: started no later than its pid file, running the configured program. */
    private static boolean isService(ServiceSpec spec, ProcessHandle.Info info, Instant pidFileWritten) {
        final boolean startedBeforeFile = info.startInstant()
                .map(started -> !started.isAfter(pidFileWritten.plus(START_TIME_SLACK))).orElse(false);
        final String configured = fileName(spec.command().get(0));
        final boolean sameProgram = info.command().map(c -> fileName(c).startsWith(configured)).orElse(false);
        return startedBeforeFile && sameProgram;
    }

    private record PidFile(long pid, Instant written) {
    }

    private static Optional<PidFile> readPidFile(Path file) throws IOException {
        try {
            final Instant written = Files.getLastModifiedTime(file).toInstant();
            return Optional.of(new PidFile(Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()),
                    written));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Caller holds the lock. Returns whether a running process was stopped. */
    private boolean stopQuietly(Managed managed) {
        final Child child = managed.child;
        if (child == null || !child.process.isAlive()) {
            if (child != null) {
                deletePidFile(managed.spec.name(), child.process.pid());
            }
            return false;
        }
        stop(managed, child, STOP_GRACE);
        return true;
    }

    /**
     * SIGTERM to the process and its descendants, SIGKILL to whatever is left after the grace
     * period. Descendants are listed first: once the parent exits they are re-parented and no
     * longer found through it.
     *
     * @return whether the process exited
     */
    private boolean stop(Managed managed, Child child, Duration grace) {
        child.stopping = true;
        final ProcessHandle handle = child.process.toHandle();
        final List<ProcessHandle> descendants = handle.descendants().collect(Collectors.toList());
        final boolean exited = terminate(handle, descendants, grace);
        final String service = managed.spec.name();
        if (exited) {
            deletePidFile(service, child.process.pid());
            LOG.info("stopped service {}: pid {} ({})", service, child.process.pid(), exitDescription(child.process));
        } else {
            LOG.error("service {}: pid {} did not exit after SIGKILL", service, child.process.pid());
        }
        return exited;
    }

    private static boolean terminate(ProcessHandle process, List<ProcessHandle> descendants, Duration grace) {
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        final long graceEnd = System.nanoTime() + grace.toNanos();
        if (!awaitExit(process, grace)) {
            process.destroyForcibly();
        }
        // Children that ignored SIGTERM, or were started while we were stopping, still get killed.
        final List<ProcessHandle> all = new ArrayList<>(descendants);
        descendants.forEach(d -> d.descendants().forEach(all::add));
        for (ProcessHandle descendant : all) {
            if (!awaitExit(descendant, Duration.ofNanos(Math.max(0, graceEnd - System.nanoTime())))) {
                descendant.destroyForcibly();
            }
        }
        boolean exited = awaitExit(process, KILL_WAIT);
        for (ProcessHandle descendant : all) {
            exited &= awaitExit(descendant, KILL_WAIT);
        }
        return exited;
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        if (!process.isAlive()) {
            return true;
        }
        try {
            process.onExit().get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !process.isAlive();
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            // Being interrupted must not leave an orphan behind: kill at once, keep the flag.
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return !process.isAlive();
        }
    }

    private void deletePidFile(String service, long pid) {
        final Path file = runDir.resolve(service + ".pid");
        try {
            // Only that pid: a file naming another pid may belong to a leftover we could not stop.
            if (Files.exists(file) && Files.readString(file, StandardCharsets.US_ASCII).trim().equals(Long.toString(pid))) {
                Files.delete(file);
            }
        } catch (IOException e) {
            LOG.warn("could not remove pid file {}: {}", file, e.toString());
        }
    }

    /** Removes the pid file when the pid it names has exited (a crash of the service or of ours). */
    private void deleteStalePidFile(String service) {
        final Path file = runDir.resolve(service + ".pid");
        try {
            final Optional<PidFile> pidFile = readPidFile(file);
            if (pidFile.isPresent() && ProcessHandle.of(pidFile.get().pid()).filter(ProcessHandle::isAlive).isEmpty()) {
                deletePidFile(service, pidFile.get().pid());
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("could not check pid file {}: {}", file, e.toString());
        }
    }

    // --- details for people ----------------------------------------------------------------

    private String describeState(Managed managed) {
        final Child child = managed.child;
        if (child != null && child.process.isAlive()) {
            return "running, pid " + child.process.pid();
        }
        return "not running";
    }

    private static String cannotStart(ServiceSpec spec, IOException e) {
        return "cannot start " + spec.name() + ": " + e.getMessage() + ". Check connectors.process.services."
                + spec.name() + ".command and .workdir";
    }

    private static String exitDescription(Process process) {
        if (process.isAlive()) {
            return "still running";
        }
        final int code = process.exitValue();
        // Java reports death by signal N as 128 + N.
        return code > 128 && code < 160 ? "exit code " + code + ", signal " + (code - 128) + " if it was killed"
                : "exit code " + code;
    }

    private static String exitedAfter(Process process, long began) {
        return "exited (" + exitDescription(process) + ") " + seconds(since(began)) + " after it was started";
    }

    /** This run's part of the service log, last lines only. */
    private String logTail(String service, Child child) {
        final Path log = logDir.resolve(service + ".log");
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            final long end = file.length();
            final long from = Math.max(child.logOffset, end - LOG_TAIL_BYTES);
            final byte[] bytes = new byte[(int) Math.max(0, end - from)];
            file.seek(from);
            file.readFully(bytes);
            final List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().collect(Collectors.toList());
            final List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return tail.isEmpty() ? "  (nothing)" : tail.stream().map(l -> "  " + l).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "  (log unreadable: " + e + ")";
        }
    }

    private static String firstLine(String text) {
        final int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline) + " ...";
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1fs", duration.toNanos() / 1e9);
    }

    private static String fileName(String program) {
        final int slash = program.lastIndexOf('/');
        return slash < 0 ? program : program.substring(slash + 1);
    }

    private static Duration since(long nanoTime) {
        return Duration.ofNanos(System.nanoTime() - nanoTime);
    }

    private static Duration left(long began, Duration budget) {
        final long left = budget.toNanos() - (System.nanoTime() - began);
        return Duration.ofNanos(Math.max(0, left));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static final class Managed {
        final ServiceSpec spec;
        final ReentrantLock lock = new ReentrantLock();
        /** The process started last; may have exited since. */
        volatile Child child;

        Managed(ServiceSpec spec) {
            this.spec = spec;
        }
    }

    private static final class Child {
        final Process process;
        /** Where this run's output begins in the service log. */
        final long logOffset;
        /** Set before we stop it, so its exit is not reported as a crash. */
        volatile boolean stopping;

        Child(Process process, long logOffset) {
            this.process = process;
            this.logOffset = logOffset;
        }
    }

    @Override
    public String toString() {
        return "ProcessConnector[" + name + ", services=" + services.keySet() + "]";
    }

}
