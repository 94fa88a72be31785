package io.reflex.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One line of the resource mapping: "an alert with label {@code label} is about the resource
 * {@code kind:<label value>}". Rules are tried in order; the first whose label is present and
 * not empty wins.
 *
 * @param label      the alert label to read, e.g. {@code deployment}
 * @param kind       the resource kind to file the alert under, e.g. {@code deployment} or {@code host}
 * @param namespaced whether the {@code namespace} label, when present, becomes the resource's namespace
 */
public record ResourceRule(String label, String kind, boolean namespaced) {

    /** Kinds end up in record keys ({@code kind:name}), so a colon or a space would make keys ambiguous. */
    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9_-]*");

    public static ResourceRule of(String label, String kind) {
        return new ResourceRule(label, kind, false);
    }

    public static ResourceRule namespaced(String label, String kind) {
        return new ResourceRule(label, kind, true);
    }

    /** Every problem of this rule, each prefixed with {@code path} (e.g. {@code resourceMapping[2]}). */
    public List<String> problems(String path) {
        List<String> problems = new ArrayList<>();
        if (label == null || label.isBlank()) {
            problems.add(path + ".label: missing; name the alert label that holds the resource name");
        }
        if (kind == null || kind.isBlank()) {
            problems.add(path + ".kind: missing; e.g. host, service, deployment");
        } else if (!KIND.matcher(kind).matches()) {
            problems.add(path + ".kind: \"" + kind + "\" is not a valid kind; use lower-case letters, digits, '-' or '_'");
        }
        return problems;
    }
}
