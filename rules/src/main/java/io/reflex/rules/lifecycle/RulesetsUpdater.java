package io.reflex.rules.lifecycle;

import io.reflex.model.RulesetVersion;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Keeps the global store of {@code reflex.rulesets} and tells the stage when the active version changes. */
public final class RulesetsUpdater implements Processor<String, RulesetVersion, Void, Void> {
    public static final String ACTIVE_KEY = "active";
    /** The key of the version running in shadow beside the active one; a tombstone stops it. */
    public static final String SHADOW_KEY = "shadow";

    private final String storeName;
    private final Rulesets rulesets;
    private KeyValueStore<String, RulesetVersion> store;

    public RulesetsUpdater(String storeName, Rulesets rulesets) {
        this.storeName = storeName;
        this.rulesets = rulesets;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, RulesetVersion> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
            if (SHADOW_KEY.equals(record.key())) {
                rulesets.shadowChanged(null);
            }
            return;
        }
        store.put(record.key(), record.value());
        if (ACTIVE_KEY.equals(record.key())) {
            rulesets.activeChanged(record.value());
        } else if (SHADOW_KEY.equals(record.key())) {
            rulesets.shadowChanged(record.value());
        }
    }
}
