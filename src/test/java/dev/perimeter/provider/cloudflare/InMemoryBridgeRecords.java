package dev.perimeter.provider.cloudflare;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The ledger and archive store in memory, for tests that run the provider without a database. */
final class InMemoryBridgeRecords {

    private InMemoryBridgeRecords() {}

    static final class Ledger implements BridgeLedger {
        private final Map<String, String> entries = new ConcurrentHashMap<>();

        @Override
        public void record(String bridgeId, String sandboxId) {
            entries.putIfAbsent(bridgeId, sandboxId);
        }

        @Override
        public boolean contains(String bridgeId) {
            return entries.containsKey(bridgeId);
        }

        @Override
        public void remove(String bridgeId) {
            entries.remove(bridgeId);
        }

        @Override
        public List<Entry> all() {
            return entries.entrySet().stream()
                    .map(e -> new Entry(e.getKey(), e.getValue()))
                    .toList();
        }
    }

    static final class Archives implements ArchiveStore {
        private final Map<String, byte[]> archives = new ConcurrentHashMap<>();

        @Override
        public void put(String snapshotRef, byte[] archive) {
            archives.put(snapshotRef, archive.clone());
        }

        @Override
        public Optional<byte[]> get(String snapshotRef) {
            return Optional.ofNullable(archives.get(snapshotRef));
        }

        @Override
        public void delete(String snapshotRef) {
            archives.remove(snapshotRef);
        }
    }
}
