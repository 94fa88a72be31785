package io.reflex.remediator.rollout;

import io.reflex.connectors.spi.Connector;
import io.reflex.connectors.spi.Outcome;
import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import io.reflex.model.ActionStatus;
import io.reflex.model.ActionType;
import io.reflex.model.Target;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@code rotate_patch} actions: rolls a patch out to a configured group in batches,
 * through whichever connector the group's step names, with a health gate after every batch.
 *
 * <p>For each batch, in config order: the step runs on each member, one after another (so a
 * failed step stops the rest of the batch), as a child action {@code <action id>/<member>}
 * bounded by the action's deadline; then every member of the batch is checked until it is
 * healthy or its {@code gateTimeout} passes. The first failed step or gate halts the rollout:
 * later batches are not touched, the outcome is FAILED (not retriable: a person decides what
 * to do with a half-patched group) and the listener is told to escalate.
 *
 * <p>Refused (REJECTED, nothing done): an unknown group, a missing or unsafe {@code patch}
 * param, member values or a target name outside {@link SafeValues#VALID}, a step connector
 * that is not configured. A rehearsal ({@code DRY_RUN}, {@code SHADOW}) reports the plan and
 * touches nothing.
 *
 * <p>Thread safety: {@link #run} may be called from several threads at once; each call is
 * independent (the dispatcher keeps one action per target at a time, so one per group).
 */
public final class PatchRollout {

    /** The action param naming the patch; filled into templates as {@code {patch}}. */
    public static final String PATCH_PARAM = "patch";
    /** The target kind of a {@code rotate_patch} action: {@code group:<name>}. */
    public static final String GROUP_KIND = "group";

    private static final Logger LOG = LoggerFactory.getLogger(PatchRollout.class);
    private static final String CONFIG_PATH = "remediator.rollouts";

    /** How the rollout waits between gate checks and batches; tests pass one that moves a fake clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final RolloutConfig config;
    private final Function<String, Optional<Connector>> connectors;
    private final Probe probe;
    private final Clock clock;
    private final RolloutListener listener;
    private final Sleeper sleeper;

    /**
     * @param connectors the configured connectors by name (e.g. {@code Connectors::get})
     * @param probe      checks the gates; {@link Probes#builtIn()} in production
     * @param clock      the only source of "now": deadlines, gate timeouts and reported durations
     */
    public PatchRollout(RolloutConfig config, Function<String, Optional<Connector>> connectors, Probe probe,
            Clock clock, RolloutListener listener) {
        this(config, connectors, probe, clock, listener, PatchRollout::sleep);
    }

    public PatchRollout(RolloutConfig config, Function<String, Optional<Connector>> connectors, Probe probe,
            Clock clock, RolloutListener listener, Sleeper sleeper) {
        this.config = Objects.requireNonNull(config, "config");
        this.connectors = Objects.requireNonNull(connectors, "connectors");
        this.probe = Objects.requireNonNull(probe, "probe");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = guarded(Objects.requireNonNull(listener, "listener"));
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * Rolls the action's patch out to its group. Blocking; returns by the action's deadline,
     * or shortly after when a connector overruns it.
     *
     * @return SUCCEEDED when every batch passed its gate; FAILED (not retriable) when it halted;
     *         REJECTED when it was refused before touching anything
     * @throws InterruptedException when interrupted; members already patched stay patched
     */
    public Outcome run(Action action) throws InterruptedException {
        Objects.requireNonNull(action, "action");
        final Plan plan;
        try {
            plan = plan(action);
        } catch (Refusal r) {
            LOG.warn("rotate_patch {} (incident {}) refused: {}", action.id(), action.incidentId(), r.getMessage());
            return Outcome.refused(r.getMessage());
        }
        if (action.mode() != ActionMode.EXECUTE) {
            final String summary = action.mode() + ": would roll out patch " + plan.patch + " to group " + plan.groupName
                    + " in " + count(plan.batches.size(), "batch") + ": " + describeBatches(plan) + "; nothing was done";
            listener.step(action.incidentId(), summary, refs(action, plan, null, null));
            return Outcome.succeeded(summary);
        }
        return new Run(action, plan).execute();
    }

    // --- planning: everything is checked before anything is touched -----------------------

    private record MemberPlan(String name, Target target, Map<String, String> params, HealthGate gate) {
    }

    private record Plan(String groupName, RolloutConfig.Group group, String patch, ActionType stepType,
                        Connector connector, List<List<MemberPlan>> batches) {
    }

    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        Refusal(String message) {
            super(message, null, false, false);
        }
    }

    private Plan plan(Action action) throws Refusal {
        if (action.type() != ActionType.ROTATE_PATCH) {
            throw new Refusal("the patch rollout carries out rotate_patch actions, not " + action.type().wireName());
        }
        final Target target = action.target();
        if (!GROUP_KIND.equals(target.kind())) {
            throw new Refusal("rotate_patch acts on a group (target group:NAME), not on "
                    + SafeValues.quote(target.kind()) + "; nothing was done");
        }
        final String groupName = target.name();
        final Optional<RolloutConfig.Group> found = config.group(groupName);
        if (found.isEmpty() || found.get() == null) {
            throw new Refusal("unknown rollout group " + SafeValues.quote(groupName) + "; configured groups: "
                    + (config.groups().isEmpty() ? "none" : String.join(", ", config.groups().keySet()))
                    + " (" + CONFIG_PATH + ".groups); nothing was done");
        }
        final RolloutConfig.Group group = found.get();
        final String groupPath = CONFIG_PATH + ".groups." + groupName;
        final List<String> problems = group.validate(groupPath);
        if (!problems.isEmpty()) {
            throw new Refusal("rollout group " + groupName + " is misconfigured: " + String.join("; ", problems)
                    + "; nothing was done");
        }
        final String patch = action.params().get(PATCH_PARAM);
        if (patch == null || patch.isBlank()) {
            throw new Refusal("rotate_patch needs the param '" + PATCH_PARAM + "' (the patch name or version);"
                    + " nothing was done");
        }
        if (!SafeValues.isValid(patch)) {
            throw new Refusal(SafeValues.whyInvalid("patch name", patch) + "; nothing was done");
        }

        final RolloutConfig.Step step = group.step();
        final List<List<MemberPlan>> batches = new ArrayList<>();
        for (List<RolloutConfig.Member> batch : group.batches()) {
            final List<MemberPlan> planned = new ArrayList<>();
            for (RolloutConfig.Member member : batch) {
                planned.add(planMember(groupName, step, group.gate(), member, patch));
            }
            batches.add(planned);
        }
        final Connector connector = connectors.apply(step.connector()).orElseThrow(() -> new Refusal(
                "the connector '" + step.connector() + "' named by " + groupPath + ".step.connector is not configured;"
                        + " configure connectors." + step.connector() + " or fix the name; nothing was done"));
        return new Plan(groupName, group, patch, step.actionType(), connector, batches);
    }

    private static MemberPlan planMember(String groupName, RolloutConfig.Step step, RolloutConfig.Gate gate,
            RolloutConfig.Member member, String patch) throws Refusal {
        // The config was checked at start, but the values go into commands and URLs: check again here.
        final Map<String, String> values = member.values(patch);
        for (Map.Entry<String, String> value : values.entrySet()) {
            if (!SafeValues.isValid(value.getValue())) {
                throw new Refusal("rollout of group " + groupName + " refused: "
                        + SafeValues.whyInvalid("{" + value.getKey() + "} of member " + SafeValues.quote(member.name()),
                        value.getValue()) + "; nothing was done");
            }
        }
        try {
            final String targetName = Template.fill(step.target(), values);
            if (!SafeValues.isValid(targetName)) {
                throw new Refusal("rollout of group " + groupName + " refused: "
                        + SafeValues.whyInvalid("target name", targetName) + "; nothing was done");
            }
            final Map<String, String> params = new LinkedHashMap<>();
            step.params().forEach((key, template) -> params.put(key, Template.fill(template, values)));
            return new MemberPlan(member.name(), new Target(step.connector(), step.kind(), targetName), params,
                    gate.resolve(values));
        } catch (IllegalArgumentException e) {
            throw new Refusal("rollout of group " + groupName + " refused: member " + member.name() + ": "
                    + e.getMessage() + "; nothing was done");
        }
    }

    // --- running ----------------------------------------------------------------------------

    /** The state of one run: which members were patched, for the halt message. */
    private final class Run {
        private final Action action;
        private final Plan plan;
        private final Instant began;
        private final List<String> healthy = new ArrayList<>();

        Run(Action action, Plan plan) {
            this.action = action;
            this.plan = plan;
            this.began = clock.instant();
        }

        Outcome execute() throws InterruptedException {
            final int total = plan.batches.size();
            final int members = plan.batches.stream().mapToInt(List::size).sum();
            LOG.info("rotate_patch {} (incident {}): patch {} to group {}, {} members in {} batches", action.id(),
                    action.incidentId(), plan.patch, plan.groupName, members, total);
            listener.step(action.incidentId(), "rolling out patch " + plan.patch + " to group " + plan.groupName + ": "
                    + count(members, "member") + " in " + count(total, "batch") + " of at most " + plan.group.batchSize() + " ("
                    + plan.group.step().type() + " through " + plan.group.step().connector() + ")",
                    refs(action, plan, null, null));
            for (int b = 0; b < total; b++) {
                final int number = b + 1;
                final List<MemberPlan> batch = plan.batches.get(b);
                if (b > 0 && !plan.group.pauseBetweenBatches().isZero()) {
                    final Duration pause = min(plan.group.pauseBetweenBatches(), left());
                    if (positive(pause)) {
                        sleeper.sleep(pause);
                    }
                }
                final List<String> patched = new ArrayList<>();
                for (int m = 0; m < batch.size(); m++) {
                    final MemberPlan member = batch.get(m);
                    final List<String> untouched = names(batch.subList(m + 1, batch.size()));
                    if (!positive(left())) {
                        untouched.add(0, member.name());
                        return halt(number, "the action's deadline " + action.deadline() + " passed before the step on "
                                + member.name(), patched, untouched);
                    }
                    final Action child = childAction(member);
                    final Outcome outcome = runStep(plan.connector, child);
                    final Map<String, String> refs = refs(action, plan, number + "/" + total, member);
                    refs.put("childActionId", child.id());
                    refs.put("status", outcome.status().name());
                    listener.step(action.incidentId(), "batch " + number + "/" + total + ": " + child.type().wireName()
                            + " " + child.target().key() + " " + outcome.status() + ": " + firstLine(outcome.detail()),
                            refs);
                    if (outcome.status() != ActionStatus.SUCCEEDED) {
                        final String why = "step " + child.type().wireName() + " " + child.target().key() + " "
                                + (outcome.status() == ActionStatus.REJECTED ? "was refused" : "failed") + " ("
                                + firstLine(outcome.detail()) + ")";
                        return halt(number, why, patched, untouched);
                    }
                    patched.add(member.name());
                }
                final Optional<String> gateFailure = gate(number, batch);
                if (gateFailure.isPresent()) {
                    return halt(number, gateFailure.get(), patched, List.of());
                }
                healthy.addAll(patched);
            }
            final String summary = "rolled out patch " + plan.patch + " to group " + plan.groupName + ": "
                    + count(members, "member") + " in " + count(total, "batch") + ", each healthy after its step (took "
                    + seconds(Duration.between(began, clock.instant())) + ")";
            LOG.info("rotate_patch {} (incident {}): {}", action.id(), action.incidentId(), summary);
            listener.step(action.incidentId(), summary, refs(action, plan, null, null));
            return Outcome.succeeded(summary);
        }

        private Outcome runStep(Connector connector, Action child) throws InterruptedException {
            try {
                return connector.execute(child);
            } catch (RuntimeException e) {
                LOG.warn("rotate_patch {}: connector {} threw on {}", action.id(), connector.name(), child.id(), e);
                return Outcome.failed("connector " + connector.name() + " threw " + e, false);
            }
        }

        /** Checks every member of the batch until healthy; the failure, if any member is not in time. */
        private Optional<String> gate(int number, List<MemberPlan> batch) throws InterruptedException {
            final int total = plan.batches.size();
            final Instant start = clock.instant();
            final Instant byTimeout = start.plus(plan.group.gateTimeout());
            final boolean deadlineFirst = action.deadline().isBefore(byTimeout);
            final Instant end = deadlineFirst ? action.deadline() : byTimeout;
            final Map<MemberPlan, String> pending = new LinkedHashMap<>();
            batch.forEach(m -> pending.put(m, "not checked yet"));
            while (true) {
                for (MemberPlan member : new ArrayList<>(pending.keySet())) {
                    final Duration left = Duration.between(clock.instant(), end);
                    final Probe.Result result = check(member.gate(), positive(left) ? left : Duration.ZERO);
                    final Duration after = Duration.between(start, clock.instant());
                    if (result.healthy()) {
                        pending.remove(member);
                        listener.step(action.incidentId(), "gate " + member.name() + " healthy after " + seconds(after),
                                withMember(refs(action, plan, number + "/" + total, member), "healthy"));
                    } else {
                        pending.put(member, result.detail());
                    }
                }
                if (pending.isEmpty()) {
                    return Optional.empty();
                }
                final Instant now = clock.instant();
                if (!now.isBefore(end)) {
                    final Duration after = Duration.between(start, now);
                    final List<String> failures = new ArrayList<>();
                    pending.forEach((member, detail) -> {
                        failures.add("gate of " + member.name() + " failed (" + detail + " for " + seconds(after)
                                + (deadlineFirst ? ", cut short by the action's deadline" : "") + ")");
                        listener.step(action.incidentId(), "gate " + member.name() + " unhealthy after " + seconds(after)
                                + ": " + member.gate().describe() + " - " + detail,
                                withMember(refs(action, plan, number + "/" + total, member), "unhealthy"));
                    });
                    return Optional.of(String.join("; ", failures));
                }
                sleeper.sleep(min(plan.group.gateInterval(), Duration.between(now, end)));
            }
        }

        private Probe.Result check(HealthGate gate, Duration timeout) throws InterruptedException {
            try {
                return probe.check(gate, timeout);
            } catch (RuntimeException e) {
                return Probe.Result.unhealthy("check failed: " + e);
            }
        }

        /**
         * FAILED with what was done and what was not, and an escalation.
         *
         * @param untouchedInBatch members of this batch whose step never ran
         */
        private Outcome halt(int number, String why, List<String> patched, List<String> untouchedInBatch) {
            final int total = plan.batches.size();
            final StringBuilder text = new StringBuilder("halted at batch ").append(number).append('/').append(total)
                    .append(": ").append(why).append("; ");
            if (number < total) {
                final List<String> later = new ArrayList<>();
                plan.batches.subList(number, total).forEach(batch -> later.addAll(names(batch)));
                text.append("batches ").append(number + 1).append("..").append(total).append(" not started (")
                        .append(join(later)).append(" untouched)");
            } else {
                text.append("it was the last batch");
            }
            text.append("; ").append(patched.isEmpty() ? "nothing in this batch was patched"
                    : join(patched) + (patched.size() == 1 ? " was" : " were") + " patched");
            if (!untouchedInBatch.isEmpty()) {
                text.append("; ").append(join(untouchedInBatch)).append(" not started");
            }
            if (!healthy.isEmpty()) {
                text.append("; patched and healthy in earlier batches: ").append(join(healthy));
            }
            final String detail = text.toString();
            LOG.warn("rotate_patch {} (incident {}): {}", action.id(), action.incidentId(), detail);
            listener.escalate(action.incidentId(), "rollout of patch " + plan.patch + " to group " + plan.groupName
                    + " " + detail + ". Look at the failed member before rolling out again: the group is half patched");
            return Outcome.failed(detail, false);
        }

        private Action childAction(MemberPlan member) {
            return new Action(action.id() + "/" + member.name(), action.incidentId(), action.rule(), plan.stepType,
                    member.target(), member.params(), action.mode(), false, clock.instant(), action.deadline(),
                    action.resourceKey(), action.labels());
        }

        private Duration left() {
            return Duration.between(clock.instant(), action.deadline());
        }
    }

    // --- helpers ----------------------------------------------------------------------------

    private static Map<String, String> refs(Action action, Plan plan, String batch, MemberPlan member) {
        final Map<String, String> refs = new LinkedHashMap<>();
        refs.put("actionId", action.id());
        refs.put("group", plan.groupName);
        refs.put("patch", plan.patch);
        if (batch != null) {
            refs.put("batch", batch);
        }
        if (member != null) {
            refs.put("member", member.name());
        }
        return refs;
    }

    private static Map<String, String> withMember(Map<String, String> refs, String gate) {
        refs.put("gate", gate);
        return refs;
    }

    private static String describeBatches(Plan plan) {
        final List<String> parts = new ArrayList<>();
        for (int b = 0; b < plan.batches.size(); b++) {
            parts.add((b + 1) + "/" + plan.batches.size() + " [" + String.join(", ", names(plan.batches.get(b))) + "]");
        }
        return String.join(", ", parts);
    }

    private static List<String> names(List<MemberPlan> members) {
        return members.stream().map(MemberPlan::name).collect(Collectors.toCollection(ArrayList::new));
    }

    /** "a", "a and b", "a, b and c". */
    static String join(List<String> names) {
        if (names.size() <= 1) {
            return String.join("", names);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    private static String count(int n, String noun) {
        return n + " " + (n == 1 ? noun : noun.endsWith("h") ? noun + "es" : noun + "s");
    }

    private static String firstLine(String text) {
        final int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline) + " ...";
    }

    /**
     * A listener whose failures are logged, not thrown: an exception out of {@link #run} counts
     * as a retriable failure, and a retry would patch the batches already done a second time.
     */
    private static RolloutListener guarded(RolloutListener listener) {
        return new RolloutListener() {
            @Override
            public void step(String incidentId, String summary, Map<String, String> refs) {
                try {
                    listener.step(incidentId, summary, refs);
                } catch (RuntimeException e) {
                    LOG.error("incident {}: could not report rollout step '{}'", incidentId, summary, e);
                }
            }

            @Override
            public void escalate(String incidentId, String reason) {
                try {
                    listener.escalate(incidentId, reason);
                } catch (RuntimeException e) {
                    LOG.error("incident {}: could not escalate the halted rollout ({})", incidentId, reason, e);
                }
            }
        };
    }

    private static boolean positive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1fs", duration.toNanos() / 1e9);
    }

    private static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(Math.max(1, duration.toMillis()));
    }
}
