package io.reflex.connectors.ansible;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Outcome;
import io.reflex.connectors.ssh.BoundedProcess;
import io.reflex.connectors.ssh.RemoteHost;
import io.reflex.connectors.ssh.SafeValues;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionType;
import io.reflex.model.Json;
import io.reflex.model.Target;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a configured playbook ({@code run_playbook}) with {@code ansible-playbook} on one
 * configured host ({@code target.kind = host}); {@code params.playbook} names the playbook and
 * the other parameters become extra vars.
 *
 * <p>Security: the playbook is chosen by name from {@code playbookDir} (a name, no path; the
 * resolved file must lie inside the directory); the inventory and the extra vars are written as
 * JSON files and passed by file name, never on the command line. Extra-var names and values
 * must match {@link SafeValues}, which also keeps out Jinja ({@code {{ }}}), since Ansible
 * templates extra vars; names starting with {@code ansible_} are refused, as they would
 * override how Ansible connects. Host keys are checked against the configured known_hosts file.
 *
 * <p>Files under the data directory: {@code logs/<connector>/<time>-<action id>.log} (the full
 * output) and, while a playbook runs, {@code runs/<connector>/<time>-<action id>/} (inventory,
 * vars, an empty ansible.cfg so no other config applies), removed afterwards.
 */
public final class AnsibleConnector implements Connector {

    public static final String NAME = "ansible";
    public static final String HOST_KIND = "host";
    /** The action parameter naming the playbook; every other parameter is an extra var. */
    public static final String PLAYBOOK_PARAM = "playbook";
    /** The rules' shape: target {@code playbook:NAME}, the host in this parameter (also passed as an extra var). */
    public static final String PLAYBOOK_KIND = "playbook";
    public static final String HOST_PARAM = "host";

    /** ansible-playbook's exit code when a host was unreachable. */
    static final int UNREACHABLE = 4;
    static final int MAX_EXCERPT_LINES = 30;
    static final int MAX_LINE = 300;
    static final long MAX_SCAN_BYTES = 4L * 1024 * 1024;
    /** How much of the output is searched for ssh's messages about host keys (they are cut in the excerpt). */
    static final int CLASSIFY_BYTES = 256 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(AnsibleConnector.class);

    private final String name;
    private final AnsibleSettings settings;
    private final Path logDir;
    private final Path runDir;
    private final Clock clock;

    public AnsibleConnector(String name, AnsibleSettings settings, Path dataDir, Clock clock) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.logDir = dataDir.resolve("logs").resolve(name);
        this.runDir = dataDir.resolve("runs").resolve(name);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return name;
    }

    public Path logDir() {
        return logDir;
    }

    @Override
    public Outcome execute(Action action) throws InterruptedException {
        Objects.requireNonNull(action, "action");
        final String refusal = check(action);
        if (refusal != null) {
            LOG.warn("action {} (incident {}) refused: {}", action.id(), action.incidentId(), refusal);
            return Outcome.refused(refusal + "; nothing was run");
        }
        final RemoteHost host = settings.hosts().get(hostName(action));
        final String playbookName = playbookName(action);
        final Path playbook;
        try {
            playbook = playbook(playbookName);
        } catch (IOException e) {
            LOG.warn("action {} (incident {}) refused: {}", action.id(), action.incidentId(), e.getMessage());
            return Outcome.refused(e.getMessage() + "; nothing was run");
        }
        final Map<String, String> extraVars = new TreeMap<>(action.params());
        if (HOST_KIND.equals(action.target().kind())) {
            extraVars.remove(PLAYBOOK_PARAM);
        }
        final String what = "playbook " + playbookName + " on " + host.describe();
        if (action.mode() != ActionMode.EXECUTE) {
            return Outcome.succeeded(action.mode() + ": would run " + what + " with extra vars " + extraVars.keySet()
                    + "; nothing was run");
        }
        final Duration budget = Duration.between(clock.instant(), action.deadline());
        if (budget.isNegative() || budget.isZero()) {
            return Outcome.failed("the deadline " + action.deadline() + " passed before " + what
                    + " began; nothing was run", false);
        }

        final String runName = BoundedProcess.runName(clock.instant(), action.id());
        final Path run = runDir.resolve(runName);
        final Path log = logDir.resolve(runName + ".log");
        LOG.info("action {} (incident {}): {}, deadline in {}", action.id(), action.incidentId(), what,
                BoundedProcess.seconds(budget));
        final BoundedProcess.Result result;
        try {
            Files.createDirectories(run);
            final Path inventory = run.resolve("inventory.json");
            final Path vars = run.resolve("vars.json");
            final Path config = run.resolve("ansible.cfg");
            Files.createDirectories(run.resolve("tmp"));
            Json.MAPPER.writeValue(inventory.toFile(), inventory(host));
            Json.MAPPER.writeValue(vars.toFile(), extraVars);
            // An empty config of our own: no ansible.cfg from the working directory, home or /etc applies.
            Files.writeString(config, "[defaults]\n", StandardCharsets.UTF_8);
            final List<String> argv = List.of(settings.ansiblePlaybook(),
                    "--inventory", inventory.toString(),
                    "--limit", host.name(),
                    "--extra-vars", "@" + vars,
                    playbook.toString());
            result = BoundedProcess.run(argv, environment(run, config), run, log, budget);
        } catch (IOException e) {
            deleteQuietly(run);
            return Outcome.failed("cannot run " + settings.ansiblePlaybook() + " for " + what + ": " + e.getMessage()
                    + ". Install ansible-core or fix connectors." + name + ".ansiblePlaybook", false);
        } catch (InterruptedException e) {
            deleteQuietly(run);
            throw e;
        }
        deleteQuietly(run);
        final Outcome outcome = outcome(what, result);
        LOG.info("action {} (incident {}): {} {} in {}, output in {}", action.id(), action.incidentId(), what,
                outcome.status(), BoundedProcess.seconds(result.took()), log);
        return outcome;
    }

    /** The host to run on: the target for {@code host:NAME}, the {@code host} param for {@code playbook:NAME}. */
    private static String hostName(Action action) {
        return PLAYBOOK_KIND.equals(action.target().kind()) ? action.params().get(HOST_PARAM) : action.target().name();
    }

    private static String playbookName(Action action) {
        return PLAYBOOK_KIND.equals(action.target().kind()) ? action.target().name()
                : action.params().get(PLAYBOOK_PARAM);
    }

    /** Why the action may not run, or null. Nothing touched yet. */
    private String check(Action action) {
        if (action.type() != ActionType.RUN_PLAYBOOK) {
            return "ansible connector cannot " + action.type().wireName() + "; it supports run_playbook";
        }
        final Target target = action.target();
        if (!HOST_KIND.equals(target.kind()) && !PLAYBOOK_KIND.equals(target.kind())) {
            return "ansible connector runs playbooks on targets of kind '" + HOST_KIND + "' (param '"
                    + PLAYBOOK_PARAM + "') or '" + PLAYBOOK_KIND + "' (param '" + HOST_PARAM + "'), not "
                    + SafeValues.quote(target.kind());
        }
        final String hostName = hostName(action);
        if (hostName == null) {
            return "run_playbook of " + SafeValues.quote(target.name()) + " needs the parameter '" + HOST_PARAM
                    + "' naming the host to run it on (configured: " + String.join(", ", settings.hosts().keySet())
                    + ")";
        }
        if (!SafeValues.isName(hostName)) {
            return SafeValues.whyNotName("host name", hostName);
        }
        if (!settings.hosts().containsKey(hostName)) {
            return "host '" + hostName + "' is not configured for the ansible connector (configured: "
                    + String.join(", ", settings.hosts().keySet()) + ")";
        }
        final String playbook = playbookName(action);
        if (playbook == null) {
            return "run_playbook needs the parameter '" + PLAYBOOK_PARAM + "' naming a playbook in "
                    + settings.playbookDir();
        }
        if (!SafeValues.isName(playbook)) {
            return SafeValues.whyNotName("playbook name", playbook);
        }
        for (Map.Entry<String, String> param : action.params().entrySet()) {
            final String key = param.getKey();
            if (key.equals(PLAYBOOK_PARAM) && HOST_KIND.equals(target.kind())) {
                continue;
            }
            if (!SafeValues.isKey(key)) {
                return "extra var name " + SafeValues.quote(key) + " is not allowed: it starts with a letter or '_' and"
                        + " uses only letters, digits and '_'";
            }
            if (key.toLowerCase(Locale.ROOT).startsWith("ansible_")) {
                return "extra var " + SafeValues.quote(key) + " is not allowed: ansible_* variables decide how Ansible"
                        + " connects and cannot come from an action";
            }
            if (!SafeValues.isValue(param.getValue())) {
                return SafeValues.whyNotValue("extra var '" + key + "'", param.getValue());
            }
        }
        return null;
    }

    /** The playbook file for a checked name; refuses one that does not exist or lies outside the directory. */
    private Path playbook(String playbookName) throws IOException {
        final Path dir = settings.playbookDir().toRealPath();
        for (String extension : List.of(".yml", ".yaml")) {
            final Path candidate = dir.resolve(playbookName + extension);
            if (Files.isRegularFile(candidate)) {
                final Path real = candidate.toRealPath();
                // A symlink must not lead out of the directory people reviewed.
                if (!real.getParent().equals(dir)) {
                    throw new IOException("playbook " + SafeValues.quote(playbookName) + " resolves outside "
                            + settings.playbookDir());
                }
                return real;
            }
        }
        throw new IOException("playbook " + SafeValues.quote(playbookName) + " does not exist in "
                + settings.playbookDir() + " (as " + playbookName + ".yml or .yaml)");
    }

    /** One host; ansible reads JSON with its yaml inventory plugin. */
    private Map<String, Object> inventory(RemoteHost host) {
        final Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("ansible_connection", "ssh");
        vars.put("ansible_host", host.address());
        vars.put("ansible_port", host.port());
        vars.put("ansible_user", host.user());
        vars.put("ansible_ssh_private_key_file", host.identityFile().toString());
        // Split by Ansible with shlex: the path has no whitespace (checked in the settings) and is quoted anyway.
        vars.put("ansible_ssh_common_args", String.join(" ",
                "-o", "UserKnownHostsFile=" + SafeValues.shellQuote(host.knownHostsFile().toString()),
                "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes",
                "-o", "CheckHostIP=no",
                "-o", "IdentitiesOnly=yes",
                "-o", "IdentityAgent=none",
                "-o", "BatchMode=yes"));
        vars.put("ansible_python_interpreter", "auto_silent");
        return Map.of("all", Map.of("hosts", Map.of(host.name(), vars)));
    }

    private Map<String, String> environment(Path run, Path config) {
        final Map<String, String> env = new LinkedHashMap<>();
        env.put("ANSIBLE_CONFIG", config.toString());
        env.put("ANSIBLE_HOST_KEY_CHECKING", "True");
        env.put("ANSIBLE_INVENTORY_ENABLED", "yaml");
        env.put("ANSIBLE_INVENTORY_UNPARSED_FAILED", "True");
        env.put("ANSIBLE_RETRY_FILES_ENABLED", "False");
        env.put("ANSIBLE_NOCOLOR", "1");
        env.put("ANSIBLE_FORCE_COLOR", "0");
        env.put("ANSIBLE_TIMEOUT", Long.toString(Math.max(1, settings.connectTimeout().toSeconds())));
        // No ControlPersist master: it would outlive the run as a background ssh process.
        env.put("ANSIBLE_SSH_ARGS", "-o ControlMaster=no -o ControlPersist=no");
        env.put("ANSIBLE_LOCAL_TEMP", run.resolve("tmp").toString());
        env.put("SSH_AUTH_SOCK", null);
        env.put("SSH_ASKPASS", null);
        env.put("DISPLAY", null);
        return env;
    }

    private Outcome outcome(String what, BoundedProcess.Result result) {
        final String excerpt = excerpt(result.log());
        final String log = "\nfull output: " + result.log();
        final String took = BoundedProcess.seconds(result.took());
        if (result.timedOut()) {
            return Outcome.failed(what + " did not finish by the action's deadline (" + took + "); ansible-playbook and"
                    + " its children were killed, the host may be half changed. Check it.\n" + excerpt + log, false);
        }
        return switch (result.exitCode()) {
            case 0 -> Outcome.succeeded(what + " succeeded in " + took + "\n" + excerpt + log);
            case UNREACHABLE -> RemoteHost.isHostKeyProblem(BoundedProcess.head(result.log(), CLASSIFY_BYTES))
                    ? Outcome.failed(what + ": the host key does not match the configured known_hosts file (possible"
                            + " man-in-the-middle, or the host was reinstalled); nothing was run. Verify the host's key"
                            + " out of band and update that file.\n" + excerpt + log, false)
                    : Outcome.failed(what + ": host unreachable (exit 4); retrying may help once it is reachable.\n"
                            + excerpt + log, true);
            case 2 -> Outcome.failed(what + ": a task failed (exit 2)\n" + excerpt + log, false);
            default -> Outcome.failed(what + ": ansible-playbook exited with " + result.exitCode()
                    + " (1: error, 4: unreachable, 5: bad options or playbook, 250: unexpected)\n" + excerpt + log, false);
        };
    }

    /**
     * What goes on the timeline: errors, failed tasks, {@code msg} lines and the PLAY RECAP,
     * each line cut short and the whole bounded; the full output stays in the log file.
     */
    static String excerpt(Path log) {
        final List<String> picked = new ArrayList<>();
        final List<String> recap = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            boolean inRecap = false;
            long read = 0;
            String line;
            while ((line = reader.readLine()) != null && read < MAX_SCAN_BYTES) {
                read += line.length() + 1;
                if (line.startsWith("PLAY RECAP")) {
                    inRecap = true;
                    recap.clear();
                }
                if (inRecap) {
                    if (!line.isBlank() && recap.size() < MAX_EXCERPT_LINES) {
                        recap.add(cut(line));
                    }
                    continue;
                }
                final String trimmed = line.trim();
                if ((trimmed.startsWith("fatal:") || trimmed.startsWith("failed:") || trimmed.startsWith("ERROR!")
                        || trimmed.startsWith("\"msg\":") || trimmed.startsWith("[ERROR]"))
                        && picked.size() < MAX_EXCERPT_LINES) {
                    picked.add(cut(trimmed));
                }
            }
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
        if (picked.isEmpty() && recap.isEmpty()) {
            return "output:\n" + BoundedProcess.tail(log, 15, 2048);
        }
        final List<String> lines = new ArrayList<>(picked);
        lines.addAll(recap);
        return String.join("\n", lines);
    }

    private static String cut(String line) {
        return line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE) + "...";
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", dir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "AnsibleConnector[" + name + ", playbookDir=" + settings.playbookDir() + ", hosts="
                + settings.hosts().keySet() + "]";
    }
}
