import Testing
// Placeholder until the first real test of this target lands; delete then.
