package io.reflex.connectors.ssh;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.spi.Reconciliation;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs configured commands on remote hosts with the OpenSSH client: restarts, stops and starts
 * services ({@code target.kind = service}) and runs named scripts ({@code run_script},
 * {@code target.kind = host}, {@code params.script}).
 *
 * <p>Security: the command is a configured argument list; the only parts an action supplies
 * (the service name, script parameters) must match {@link SafeValues} and be configured, or
 * the action is refused before anything runs. Because sshd hands the command line to the
 * remote user's shell, every argument is single-quoted. ssh runs with no user config
 * ({@code -F /dev/null}), batch mode (no prompts), key authentication with the configured key
 * only, and strict host-key checking against the configured known_hosts file.
 *
 * <p>Files: {@code logs/<connector>/<time>-<action id>.log} under the data directory, the full
 * output of each run; the outcome carries its last lines.
 */
public final class SshConnector implements Connector {

    public static final String NAME = "ssh";
    public static final String SERVICE_KIND = "service";
    public static final String HOST_KIND = "host";

    /** ssh's own exit code for connection, authentication and host-key failures. */
    static final int SSH_ERROR = 255;
    static final int EXCERPT_LINES = 15;
    static final int EXCERPT_BYTES = 2048;
    /** The state command's output is one number; more is a misconfigured command. */
    static final int STATE_MAX_BYTES = 256;
    /** How much of the output is searched for ssh's own error messages. */
    static final int CLASSIFY_BYTES = 16 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SshConnector.class);

    private final String name;
    private final SshSettings settings;
    private final Path logDir;
    private final Clock clock;

    public SshConnector(String name, SshSettings settings, Path dataDir, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.logDir = dataDir.resolve("logs").resolve(name);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return name;
    }

    /** The directory holding the full output of each run. */
    public Path logDir() {
        return logDir;
    }

    @Override
    public Outcome execute(Action action) throws InterruptedException {
        Objects.requireNonNull(action, "action");
        final Plan plan;
        try {
            plan = plan(action);
        } catch (Refusal r) {
            LOG.warn("action {} (incident {}) refused: {}", action.id(), action.incidentId(), r.getMessage());
            return Outcome.refused(r.getMessage() + "; nothing was run");
        }
        if (action.mode() != ActionMode.EXECUTE) {
            // The remediator normally stops rehearsals before they reach a connector.
            return Outcome.succeeded(action.mode() + ": would run " + plan.what() + " on " + plan.host().describe()
                    + ": " + String.join(" ", plan.command()) + "; nothing was run");
        }
        final Duration budget = Duration.between(clock.instant(), action.deadline());
        if (budget.isNegative() || budget.isZero()) {
            return Outcome.failed("the deadline " + action.deadline() + " passed before " + plan.what()
                    + " began; nothing was run", false);
        }
        LOG.info("action {} (incident {}): {} on {}, deadline in {}", action.id(), action.incidentId(), plan.what(),
                plan.host().describe(), BoundedProcess.seconds(budget));
        final Path log = logDir.resolve(BoundedProcess.runName(clock.instant(), action.id()) + ".log");
        final BoundedProcess.Result result;
        try {
            result = BoundedProcess.run(sshCommand(plan.host(), plan.command()), sshEnvironment(), null, log, budget);
        } catch (IOException e) {
            return Outcome.failed("cannot run " + settings.ssh() + " for " + plan.what() + ": " + e.getMessage()
                    + ". Install the OpenSSH client or fix connectors." + name + ".ssh", false);
        }
        final Outcome outcome = outcome(plan, result);
        LOG.info("action {} (incident {}): {} on {} {} in {}, output in {}", action.id(), action.incidentId(),
                plan.what(), plan.host().name(), outcome.status(), BoundedProcess.seconds(result.took()), log);
        return outcome;
    }

    /**
     * For service restarts and starts with a configured {@code state} command: asks the host when
     * the service started. APPLIED when that is after {@code startedAt}, NOT_APPLIED when it is
     * before or the service is not running, UNKNOWN otherwise. Compares the remote clock with
     * ours: hosts are expected to run NTP.
     */
    @Override
    public Reconciliation reconcile(Action action, Instant startedAt) throws InterruptedException {
        final ActionType type = action.type();
        if ((type != ActionType.RESTART_SERVICE && type != ActionType.START_SERVICE) || settings.state().isEmpty()) {
            return Connector.super.reconcile(action, startedAt);
        }
        final Plan plan;
        final List<String> stateCommand;
        try {
            plan = plan(action);
            stateCommand = settings.state().get().render(Map.of("service", action.target().name(), "host", plan.host().name()));
        } catch (Refusal | IllegalArgumentException e) {
            return Reconciliation.unknown("cannot check " + action.target().key() + ": " + e.getMessage());
        }
        // After a crash the action's deadline has usually passed; the check still gets a bounded time.
        final Duration budget = Duration.between(clock.instant(), action.deadline());
        final Duration floor = settings.connectTimeout().multipliedBy(2);
        final Duration limit = budget.compareTo(floor) > 0 ? budget : floor;
        final Path log = logDir.resolve(BoundedProcess.runName(clock.instant(), action.id())
                + "-state.log");
        final BoundedProcess.Result result;
        try {
            result = BoundedProcess.run(sshCommand(plan.host(), stateCommand), sshEnvironment(), null, log, limit);
        } catch (IOException e) {
            return Reconciliation.unknown("cannot run " + settings.ssh() + ": " + e.getMessage());
        }
        final String where = action.target().name() + " on " + plan.host().describe();
        if (result.timedOut() || result.exitCode() != 0) {
            return Reconciliation.unknown("the state command for " + where + " "
                    + (result.timedOut() ? "did not finish" : "exited with " + result.exitCode()) + ":\n"
                    + BoundedProcess.tail(log, EXCERPT_LINES, EXCERPT_BYTES));
        }
        final String output;
        try {
            output = Files.size(log) > STATE_MAX_BYTES ? "" : Files.readString(log, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return Reconciliation.unknown("cannot read the state of " + where + ": " + e.getMessage());
        }
        final long epochSeconds;
        try {
            epochSeconds = output.isEmpty() ? 0 : Long.parseLong(output);
        } catch (NumberFormatException e) {
            return Reconciliation.unknown("the state command for " + where + " printed " + SafeValues.quote(output)
                    + ", not a start time in epoch seconds; fix connectors." + name + ".state");
        }
        if (epochSeconds <= 0) {
            return Reconciliation.notApplied(where + " is not running");
        }
        final Instant started = Instant.ofEpochSecond(epochSeconds);
        // The action began at startedAt, at second precision on the remote side: same second counts as after.
        if (!started.isBefore(startedAt.minusNanos(startedAt.getNano()))) {
            return Reconciliation.applied(where + " started at " + started + ", after the action began at " + startedAt);
        }
        return Reconciliation.notApplied(where + " last started at " + started + ", before the action began at "
                + startedAt);
    }

    // --- planning: everything checked before anything runs -------------------------------

    /** What to run where; built only from configured parts and checked values. */
    private record Plan(String what, RemoteHost host, List<String> command) {
    }

    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        Refusal(String message) {
            super(message, null, false, false);
        }
    }

    private Plan plan(Action action) throws Refusal {
        final ActionType type = action.type();
        final Target target = action.target();
        if (SshSettings.SERVICE_TYPES.contains(type)) {
            return planService(type, target);
        }
        if (type == ActionType.RUN_SCRIPT) {
            return planScript(target, action.params());
        }
        throw new Refusal("ssh connector cannot " + type.wireName() + "; it supports restart_service, stop_service,"
                + " start_service and run_script");
    }

    private Plan planService(ActionType type, Target target) throws Refusal {
        if (!SERVICE_KIND.equals(target.kind())) {
            throw new Refusal("ssh connector runs " + type.wireName() + " on targets of kind '" + SERVICE_KIND
                    + "', not " + SafeValues.quote(target.kind()));
        }
        final String service = target.name();
        if (!SafeValues.isName(service) || !SafeValues.isValue(service)) {
            throw new Refusal(SafeValues.whyNotName("service name", service));
        }
        final String hostName = settings.services().get(service);
        if (hostName == null) {
            throw new Refusal("service '" + service + "' is not managed by the ssh connector (configured: "
                    + (settings.services().isEmpty() ? "none" : String.join(", ", settings.services().keySet()))
                    + "). To manage it, add it under connectors." + name + ".services");
        }
        final CommandTemplate template = settings.commands().get(type);
        if (template == null) {
            throw new Refusal("no command is configured for " + type.wireName() + "; add one under connectors."
                    + name + ".commands." + type.wireName());
        }
        final RemoteHost host = settings.hosts().get(hostName);
        return new Plan(type.wireName() + " " + service, host,
                template.render(Map.of("service", service, "host", host.name())));
    }

    private Plan planScript(Target target, Map<String, String> params) throws Refusal {
        if (!HOST_KIND.equals(target.kind())) {
            throw new Refusal("ssh connector runs run_script on targets of kind '" + HOST_KIND + "', not "
                    + SafeValues.quote(target.kind()));
        }
        final String hostName = target.name();
        if (!SafeValues.isName(hostName)) {
            throw new Refusal(SafeValues.whyNotName("host name", hostName));
        }
        final RemoteHost host = settings.hosts().get(hostName);
        if (host == null) {
            throw new Refusal("host '" + hostName + "' is not configured for the ssh connector (configured: "
                    + String.join(", ", settings.hosts().keySet()) + ")");
        }
        final String script = params.get(SshSettings.SCRIPT_PARAM);
        if (script == null) {
            throw new Refusal("run_script needs the parameter '" + SshSettings.SCRIPT_PARAM + "' naming a script"
                    + " configured under connectors." + name + ".scripts");
        }
        if (!SafeValues.isName(script)) {
            throw new Refusal(SafeValues.whyNotName("script name", script));
        }
        final CommandTemplate template = settings.scripts().get(script);
        if (template == null) {
            throw new Refusal("script '" + script + "' is not configured (configured: "
                    + (settings.scripts().isEmpty() ? "none" : String.join(", ", settings.scripts().keySet()))
                    + "). To allow it, add it under connectors." + name + ".scripts");
        }
        final Map<String, String> values = new HashMap<>();
        for (String placeholder : template.placeholders()) {
            final String value = placeholder.equals("host") && !params.containsKey("host") ? host.name()
                    : params.get(placeholder);
            if (value == null) {
                throw new Refusal("script '" + script + "' needs the parameter '" + placeholder + "'");
            }
            if (!SafeValues.isValue(value)) {
                throw new Refusal(SafeValues.whyNotValue("parameter '" + placeholder + "'", value));
            }
            values.put(placeholder, value);
        }
        return new Plan("run_script " + script, host, template.render(values));
    }

    // --- running ssh ---------------------------------------------------------------------

    /** The ssh argument list; the remote command is the last argument, every word single-quoted. */
    List<String> sshCommand(RemoteHost host, List<String> remote) {
        final List<String> argv = new ArrayList<>(List.of(
                settings.ssh(),
                "-F", "/dev/null",
                "-T",
                "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=yes",
                "-o", "UserKnownHostsFile=" + host.knownHostsFile(),
                "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "CheckHostIP=no",
                "-o", "IdentitiesOnly=yes",
                "-o", "IdentityAgent=none",
                "-o", "PasswordAuthentication=no",
                "-o", "KbdInteractiveAuthentication=no",
                "-o", "ControlMaster=no",
                "-o", "ConnectTimeout=" + Math.max(1, settings.connectTimeout().toSeconds()),
                "-o", "LogLevel=ERROR",
                "-i", host.identityFile().toString(),
                "-p", Integer.toString(host.port()),
                "-l", host.user(),
                "--",
                host.address(),
                CommandTemplate.shellJoin(remote)));
        return argv;
    }

    private static Map<String, String> sshEnvironment() {
        final Map<String, String> env = new LinkedHashMap<>();
        // Key authentication with the configured file only, never a forwarded or local agent.
        env.put("SSH_AUTH_SOCK", null);
        env.put("SSH_ASKPASS", null);
        env.put("DISPLAY", null);
        return env;
    }

    private Outcome outcome(Plan plan, BoundedProcess.Result result) {
        final String where = plan.what() + " on " + plan.host().describe();
        final String excerpt = BoundedProcess.tail(result.log(), EXCERPT_LINES, EXCERPT_BYTES);
        final String log = "\nfull output: " + result.log();
        if (result.timedOut()) {
            return Outcome.failed(where + " did not finish by the action's deadline (" + BoundedProcess.seconds(result.took())
                    + "); ssh was killed and the remote command may still be running or half done. Check the host."
                    + "\noutput:\n" + excerpt + log, false);
        }
        if (result.exitCode() == 0) {
            return Outcome.succeeded(where + " succeeded in " + BoundedProcess.seconds(result.took()) + "\noutput:\n"
                    + excerpt + log);
        }
        if (result.exitCode() == SSH_ERROR) {
            // ssh's own messages come before any remote output; the excerpt is the end of the log.
            final String head = BoundedProcess.head(result.log(), CLASSIFY_BYTES);
            final String lower = head.toLowerCase(Locale.ROOT);
            if (RemoteHost.isHostKeyProblem(head)) {
                return Outcome.failed(where + " refused by ssh: the host key of " + plan.host().address() + ":"
                        + plan.host().port() + " does not match the known_hosts file configured for host "
                        + plan.host().name() + " (possible man-in-the-middle, or the host was reinstalled). Verify the"
                        + " host's key out of band and update that file; nothing was run.\n" + excerpt + log, false);
            }
            if (lower.contains("permission denied")) {
                return Outcome.failed(where + ": the host refused the key of user " + plan.host().user()
                        + " (Permission denied); nothing was run. Authorize the configured identityFile's public key"
                        + " on the host.\n" + excerpt + log, false);
            }
            if (lower.contains("load key") || lower.contains("no such identity") || lower.contains("bad permissions")) {
                return Outcome.failed(where + ": ssh cannot use the configured identityFile; nothing was run. Check"
                        + " the file and its permissions (0600).\n" + excerpt + log, false);
            }
            return Outcome.failed(where + ": cannot connect over ssh (exit 255); the command did not run or its"
                    + " connection dropped. Retrying may help once the host is reachable.\n" + excerpt + log, true);
        }
        return Outcome.failed(where + " failed with exit code " + result.exitCode() + "\noutput:\n" + excerpt + log, false);
    }

    /** The hosts, services and scripts this connector may act on. */
    public SshSettings settings() {
        return settings;
    }

    @Override
    public String toString() {
        return "SshConnector[" + name + ", hosts=" + settings.hosts().keySet() + ", services="
                + settings.services().keySet() + "]";
    }
}
