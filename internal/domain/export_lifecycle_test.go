package domain

// SweepLockKey is the sweep's advisory lock key, for tests that hold it.
const SweepLockKey = sweepLockKey
