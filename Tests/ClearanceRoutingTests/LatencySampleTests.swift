import ClearanceRouting
import Testing

/// The worker's latency sample: bounded, and uniform over the whole stream (not its first values).
@Suite struct LatencySampleTests {
    @Test func keepsEverythingUpToItsCapacity() {
        var sample = LatencySample(capacity: 10)
        sample.add([3, 1, 2])
        #expect(sample.values == [3, 1, 2] && sample.seen == 3)
    }

    @Test func aMillionValuesKeepTenThousandSpreadOverTheWholeStream() {
        var sample = LatencySample(capacity: 10_000)
        for start in stride(from: 0, to: 1_000_000, by: 1_000) {
            sample.add((start..<start + 1_000).map(Double.init))
        }
        #expect(sample.values.count == 10_000 && sample.seen == 1_000_000)
        let sorted = sample.values.sorted()
        // A uniform sample's median and p99 sit near the stream's (500,000 and 990,000); the
        // first 10,000 values alone (a sample that stopped when full) would put both below 10,000.
        // The bounds are ~10 standard errors wide: a false failure is not a practical possibility.
        #expect(abs(sorted[5_000] - 500_000) < 50_000, "median \(sorted[5_000])")
        #expect(abs(sorted[9_900] - 990_000) < 10_000, "p99 \(sorted[9_900])")
        #expect(Set(sample.values).count == 10_000, "each value at most once")
    }
}
