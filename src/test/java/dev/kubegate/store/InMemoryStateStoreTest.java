package dev.kubegate.store;

class InMemoryStateStoreTest extends StateStoreContract {

    @Override
    protected StateStore store() {
        return new InMemoryStateStore(clock);
    }

    @Override
    protected int purge(StateStore s) {
        return ((InMemoryStateStore) s).purgeExpired();
    }
}
