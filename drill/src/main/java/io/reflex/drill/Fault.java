package io.reflex.drill;

import io.reflex.model.ActionType;
import io.reflex.model.Target;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fault a drill injects, one record per kind with the fields it needs; the runner dispatches
 * on the kind: {@link ProcessSignal} the drill sends itself, {@link ThroughConnector} faults go
 * through the running Reflex's remediator, and an {@link AlertStorm} is synthetic (dry run only).
 */
public sealed interface Fault permits Fault.ProcessSignal, Fault.ThroughConnector,
        Fault.AlertStorm {

    /** The key of the resource whose incident the drill follows, e.g. {@code service:demo-shop}. */
    String resourceKey();

    /** For logs and reports, e.g. {@code kill -KILL service demo-shop (connector process)}. */
    String describe();

    /** The signal a process fault sends. */
    enum Signal {
        /** SIGKILL: the process cannot clean up (a crash). */
        KILL,
        /** SIGTERM: an orderly stop (someone stopped it). */
        TERM;

        static Signal parse(String text) {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replaceFirst("^SIG", ""));
        }
    }

    /**
     * {@code kill} or {@code stop} of a service a process connector manages: the drill signals the
     * process whose pid the connector wrote to {@code <dataDir>/run/<service>.pid}.
     *
     * @param kind      {@code kill} (default signal KILL) or {@code stop} (default signal TERM)
     * @param connector the process connector's name (the one rules restart the service through)
     */
    record ProcessSignal(String kind, String connector, String service, Signal signal) implements Fault {
        public ProcessSignal {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(connector, "connector");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(signal, "signal");
        }

        @Override
        public String resourceKey() {
            return "service:" + service;
        }

        @Override
        public String describe() {
            return kind + " -" + signal + " service " + service + " (connector " + connector + ")";
        }
    }

    /**
     * A fault a running Reflex injects through one of its connectors: the drill writes the
     * {@link #action()} to {@code reflex.actions} (rule {@code drill fault}) and undoes it with
     * {@link #undoAction()} (rule {@code drill undo}).
     */
    sealed interface ThroughConnector extends Fault permits SshStop, ScaleToZero, Cordon {
        /** The fault's action type. */
        ActionType action();

        /** The inverse action type, which undoes the fault. */
        ActionType undoAction();

        /** The connector target both act on. */
        Target target();
    }

    /**
     * {@code ssh-stop}: stop_service of a service the ssh connector manages (the connector maps the
     * service to its host; {@code host} says which host that is, for people and the labels).
     *
     * @param resource the resource whose incident the drill follows; default {@code service:<service>}
     */
    record SshStop(String connector, String host, String service, String resource) implements ThroughConnector {
        public SshStop {
            Objects.requireNonNull(connector, "connector");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(service, "service");
            resource = resource != null ? resource : "service:" + service;
        }

        @Override
        public String resourceKey() {
            return resource;
        }

        @Override
        public String describe() {
            return "ssh-stop service " + service + " on " + host + " (connector " + connector + ")";
        }

        @Override
        public ActionType action() {
            return ActionType.STOP_SERVICE;
        }

        @Override
        public ActionType undoAction() {
            return ActionType.START_SERVICE;
        }

        @Override
        public Target target() {
            return new Target(connector, "service", service);
        }
    }

    /**
     * {@code scale-to-zero}: stop_service of a deployment through the kubernetes connector (it
     * scales to 0 and remembers the replicas; start_service scales back).
     *
     * @param resource default {@code deployment:<deployment>}
     */
    record ScaleToZero(String connector, String namespace, String deployment, String resource)
            implements ThroughConnector {
        public ScaleToZero {
            Objects.requireNonNull(connector, "connector");
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(deployment, "deployment");
            resource = resource != null ? resource : "deployment:" + deployment;
        }

        @Override
        public String resourceKey() {
            return resource;
        }

        @Override
        public String describe() {
            return "scale-to-zero deployment " + namespace + "/" + deployment + " (connector " + connector + ")";
        }

        @Override
        public ActionType action() {
            return ActionType.STOP_SERVICE;
        }

        @Override
        public ActionType undoAction() {
            return ActionType.START_SERVICE;
        }

        /** The kubernetes connector's deployment target: {@code deployment:NAMESPACE/NAME}. */
        @Override
        public Target target() {
            return new Target(connector, "deployment", namespace + "/" + deployment);
        }
    }

    /**
     * {@code cordon}: cordon_node through the kubernetes connector; undone with uncordon_node.
     *
     * @param resource default {@code node:<node>}
     */
    record Cordon(String connector, String node, String resource) implements ThroughConnector {
        public Cordon {
            Objects.requireNonNull(connector, "connector");
            Objects.requireNonNull(node, "node");
            resource = resource != null ? resource : "node:" + node;
        }

        @Override
        public String resourceKey() {
            return resource;
        }

        @Override
        public String describe() {
            return "cordon node " + node + " (connector " + connector + ")";
        }

        @Override
        public ActionType action() {
            return ActionType.CORDON_NODE;
        }

        @Override
        public ActionType undoAction() {
            return ActionType.UNCORDON_NODE;
        }

        @Override
        public Target target() {
            return new Target(connector, "node", node);
        }
    }

    /**
     * {@code alert-storm}: {@code alerts} synthetic alerts spread evenly over {@code over}, alert
     * {@code i} (0-based) on the resource and with the labels the templates give for {@code i}.
     * Synthetic only: it runs in dry-run mode.
     *
     * @param resource a template {@code KIND:NAME}, e.g. {@code host:storm-{i}}
     * @param labels   label templates, e.g. {@code zone: zone-{i%10}}
     */
    record AlertStorm(int alerts, Duration over, String alertName, String resource, Map<String, String> labels,
            String severity) implements Fault {
        private static final Pattern PLACEHOLDER = Pattern.compile("\\{i(?:%(\\d{1,6}))?}");

        public AlertStorm {
            if (alerts < 1) {
                throw new IllegalArgumentException("alerts must be at least 1");
            }
            Objects.requireNonNull(over, "over");
            Objects.requireNonNull(alertName, "alertName");
            Objects.requireNonNull(resource, "resource");
            labels = Map.copyOf(labels);
            Objects.requireNonNull(severity, "severity");
        }

        /** The template, as the storm's incidents are many: {@code host:storm-{i}}. */
        @Override
        public String resourceKey() {
            return resource;
        }

        @Override
        public String describe() {
            return "alert-storm of " + alerts + " " + alertName + " alerts over " + Verdict.human(over) + " on " + resource;
        }

        /** The resource key of alert {@code i}. */
        public String resourceKey(int i) {
            return render(resource, i);
        }

        /** The labels of alert {@code i}, in name order. */
        public Map<String, String> labels(int i) {
            Map<String, String> out = new LinkedHashMap<>();
            labels.keySet().stream().sorted().forEach(k -> out.put(k, render(labels.get(k), i)));
            return out;
        }

        /** Replaces {@code {i}} with i and {@code {i%N}} with i modulo N. */
        static String render(String template, int i) {
            Matcher m = PLACEHOLDER.matcher(template);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                int value = m.group(1) == null ? i : i % Integer.parseInt(m.group(1));
                m.appendReplacement(out, Integer.toString(value));
            }
            m.appendTail(out);
            return out.toString();
        }

        /** Whether every placeholder in the template is {@code {i}} or {@code {i%N}} with N > 0; the bad one, or null. */
        static String badPlaceholder(String template) {
            Matcher any = Pattern.compile("\\{[^}]*}").matcher(template);
            while (any.find()) {
                Matcher ok = PLACEHOLDER.matcher(any.group());
                if (!ok.matches() || ok.group(1) != null && Integer.parseInt(ok.group(1)) == 0) {
                    return any.group();
                }
            }
            return null;
        }
    }
}
