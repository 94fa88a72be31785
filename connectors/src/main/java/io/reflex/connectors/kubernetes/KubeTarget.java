package io.reflex.connectors.kubernetes;

import java.util.Locale;

/**
 * A checked target of the kubernetes connector: its kind, namespace (null for nodes) and
 * name, all valid Kubernetes names.
 */
record KubeTarget(Kind kind, String namespace, String name) {

    enum Kind {
        DEPLOYMENT, POD, NODE;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean namespaced() {
            return this != NODE;
        }

        static Kind of(String kind) {
            for (Kind k : values()) {
                if (k.word().equals(kind)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** As people and {@code kubectl} write it: {@code deployment shop/cart}, {@code node worker-1}. */
    String describe() {
        return kind.word() + " " + (namespace == null ? name : namespace + "/" + name);
    }
}
