package io.reflex.remediator.rollout;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A config string with placeholders ({@code {member}}, {@code {patch}}, {@code {port}}), filled
 * in one pass: a value is never scanned again, so it cannot smuggle in a placeholder. The
 * values themselves are checked by the caller ({@link SafeValues}) before they get here.
 */
final class Template {

    static final String MEMBER = "member";
    static final String PATCH = "patch";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_]*)}");

    private Template() {
    }

    /** The placeholder names a template uses, in order of first use. */
    static Set<String> placeholders(String template) {
        final Set<String> names = new LinkedHashSet<>();
        final Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /**
     * Fills every placeholder from {@code values}.
     *
     * @throws IllegalArgumentException naming a placeholder that has no value
     */
    static String fill(String template, Map<String, String> values) {
        final Matcher m = PLACEHOLDER.matcher(template);
        final StringBuilder out = new StringBuilder();
        while (m.find()) {
            final String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("placeholder {" + m.group(1) + "} has no value; known: "
                        + known(values.keySet()));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    static List<String> fill(List<String> templates, Map<String, String> values) {
        final List<String> out = new ArrayList<>(templates.size());
        for (String template : templates) {
            out.add(fill(template, values));
        }
        return out;
    }

    static String known(Set<String> names) {
        final StringBuilder out = new StringBuilder();
        for (String name : names) {
            out.append(out.length() == 0 ? "" : ", ").append('{').append(name).append('}');
        }
        return out.toString();
    }
}
