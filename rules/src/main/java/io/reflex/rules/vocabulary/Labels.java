package io.reflex.rules.vocabulary;

import io.reflex.model.AlertEvent;

/**
 * Label helpers for rule conditions, imported as functions:
 * {@code import function io.reflex.rules.vocabulary.Labels.number;}.
 */
public final class Labels {
    private Labels() {
    }

    /**
     * A label read as a number, e.g. to sum it over a window. A missing or non-numeric label
     * fails the rule with the alert and the label named, rather than counting as zero.
     */
    public static double number(AlertEvent alert, String label) {
        String value = alert.label(label);
        if (value == null) {
            throw new IllegalArgumentException("alert " + alert.name() + " on " + alert.resource().key()
                    + " has no label '" + label + "' to read a number from; match only alerts that carry it");
        }
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("label '" + label + "' of alert " + alert.name() + " on "
                    + alert.resource().key() + " is '" + value + "', not a number", e);
        }
    }

    /** Label values joined by '/', for a group key; null when one is missing, so a Throttle refuses it. */
    public static String group(AlertEvent alert, String... labels) {
        StringBuilder key = new StringBuilder();
        for (String label : labels) {
            String value = alert.label(label);
            if (value == null) {
                return null;
            }
            if (!key.isEmpty()) {
                key.append('/');
            }
            key.append(value);
        }
        return key.toString();
    }
}
