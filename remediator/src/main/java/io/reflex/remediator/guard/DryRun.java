package io.reflex.remediator.guard;

import io.reflex.model.Action;
import io.reflex.model.ActionMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Rehearses actions instead of executing them: all of them, those of some rules, or those of
 * some action types. Actions already in DRY_RUN or SHADOW mode are left as they are.
 */
public final class DryRun {
    public static final String NAME = "dryRun";

    /**
     * YAML {@code remediator.guardrails.dryRun}.
     *
     * @param all   every action (default false)
     * @param rules rule names
     * @param types action types (wire names such as isolate_host)
     */
    public record Config(Boolean all, List<String> rules, List<String> types) {
        public Config {
            all = all != null && all;
            rules = Checks.list(rules);
            types = Checks.list(types);
        }

        public static Config off() {
            return new Config(null, null, null);
        }

        public List<String> validate(String path) {
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i) == null || rules.get(i).isBlank()) {
                    problems.add(path + ".rules[" + i + "] is empty; write a rule name");
                }
            }
            Checks.actionTypes(types, path + ".types", problems);
            return problems;
        }
    }

    private final Config config;

    public DryRun(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    public Verdict check(Action action) {
        if (action.mode() != ActionMode.EXECUTE) {
            return Verdict.allow();
        }
        if (config.all()) {
            return Verdict.dryRun(NAME, "Dry run: every action is rehearsed (remediator.guardrails.dryRun.all)");
        }
        if (config.rules().contains(action.rule().name())) {
            return Verdict.dryRun(NAME + ":rule", "Dry run: rule " + action.rule().name()
                    + " is rehearsed (remediator.guardrails.dryRun.rules)");
        }
        if (config.types().contains(action.type().wireName())) {
            return Verdict.dryRun(NAME + ":type", "Dry run: " + action.type().wireName()
                    + " actions are rehearsed (remediator.guardrails.dryRun.types)");
        }
        return Verdict.allow();
    }
}
