import Foundation
import XMLStreaming

/// Runs libxml2 on a thread of its own, which records the parser's events on tapes
/// (``XMLStreaming/XMLEventTape``) and hands them back to the caller's thread through a bounded
/// queue; there they are replayed to ``DecoderCore``, which collects records for
/// ``DocumentChecker`` to check and hand to the sink. The parsing thread, which bounds the wall
/// time of a large batch, thus does little beyond libxml2. Both queues are bounded, so memory
/// stays flat: at most a few input chunks and a few tapes (each the events of 256 KiB of input:
/// ~0.4 MB for CEB batches, at most ~3.5 MB) are in flight.
final class DecoderPipeline {
    /// What flows from the caller to the parser thread.
    enum Input: Sendable {
        case chunk([UInt8])
        case finish
        case cancel
    }

    /// What flows back.
    enum Output: Sendable {
        case events(XMLEventTape)
        case failed(XMLStreamError)
        case finished
    }

    /// The queues, guarded by one condition.
    final class Queues: @unchecked Sendable {
        // Every stored property is read and written only while `condition` is locked.
        let condition = NSCondition()
        var inputs: [Input] = []
        var outputs: [Output] = []
        var outputHead = 0
        var consumed = 0
        /// Replayed tapes, back for the parser thread to record into again.
        var spareTapes: [XMLEventTape] = []
        static let maxInputs = 4
        static let maxOutputs = 4
    }

    /// The parser, confined to the parser thread once started. Kept alive by the pipeline too:
    /// tapes hold the names libxml2 interned, which live as long as the parser.
    final class Worker: @unchecked Sendable {
        // Created on the caller's thread, then used only by the parser thread.
        let parser: XMLPushParser
        let tape = XMLEventTape()
        /// Input bytes parsed before the recorded events are handed over.
        static let slice = 256 << 10
        init(limits: CEBLimits) {
            parser = XMLPushParser(vocabulary: DecoderTables.shared.vocabulary, limits: limits.xml, recordingInto: tape)
        }

        func run(_ queues: Queues) {
            var failed = false
            while true {
                queues.condition.lock()
                while queues.inputs.isEmpty { queues.condition.wait() }
                let input = queues.inputs.removeFirst()
                queues.condition.broadcast()
                queues.condition.unlock()
                switch input {
                case .cancel:
                    return
                case .chunk(let bytes):
                    guard !failed else { continue }
                    // A slice at a time: a tape can be ~14 times its input (`<a/>` is 4 bytes, its
                    // two records 56), so slices bound each tape whatever the chunk size.
                    var offset = 0
                    repeat {
                        let end = min(bytes.count, offset + Self.slice)
                        var failure: XMLStreamError?
                        do throws(XMLStreamError) {
                            try bytes.withRawBytes { (raw) throws(XMLStreamError) in
                                try parser.feed(UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
                            }
                        } catch {
                            failed = true
                            failure = error
                        }
                        handOver(queues, then: failure.map { .failed($0) })
                        offset = end
                    } while offset < bytes.count && !failed
                case .finish:
                    if failed { return }
                    do throws(XMLStreamError) {
                        try parser.finish()
                        handOver(queues, then: .finished)
                    } catch {
                        handOver(queues, then: .failed(error))
                    }
                    return
                }
            }
        }

        /// Hands the events recorded so far over (and what comes after them), waiting for room.
        private func handOver(_ queues: Queues, then last: Output?) {
            let consumed = parser.bytesConsumed
            queues.condition.lock()
            while queues.outputs.count - queues.outputHead >= Queues.maxOutputs { queues.condition.wait() }
            if !tape.isEmpty {
                let recorded = queues.spareTapes.popLast() ?? XMLEventTape()
                recorded.removeAll()
                tape.exchange(with: recorded)
                queues.outputs.append(.events(recorded))
            }
            if let last { queues.outputs.append(last) }
            queues.consumed = consumed
            queues.condition.broadcast()
            queues.condition.unlock()
        }
    }

    let queues = Queues()
    let worker: Worker
    let replayer: XMLEventReplayer
    private var failure: XMLStreamError?
    private var done = false
    /// Set while cancelling: outputs are dropped, the sink is not called.
    private var discarding = false

    init(limits: CEBLimits, checker: DocumentChecker, streamsParts: Bool) {
        let worker = Worker(limits: limits)
        self.worker = worker
        replayer = XMLEventReplayer(vocabulary: DecoderTables.shared.vocabulary,
                                    handler: DecoderCore(limits: limits, output: checker, streamsParts: streamsParts))
        let queues = self.queues
        let thread = Thread { worker.run(queues) }
        thread.name = "clearance-xml-parser"
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit {
        if !done {
            discarding = true
            send(.cancel)
        }
    }

    var bytesConsumed: Int {
        queues.condition.lock()
        defer { queues.condition.unlock() }
        return queues.consumed
    }

    func feed(_ bytes: UnsafeRawBufferPointer) throws(XMLStreamError) {
        if let failure { throw failure }
        precondition(!done, "feed after finish")
        send(.chunk(Array(bytes)))
        if let failure { throw failure }
        try drain(waitForEnd: false)
    }

    func finish() throws(XMLStreamError) {
        if let failure { throw failure }
        guard !done else { return }
        done = true
        send(.finish)
        try drain(waitForEnd: true)
    }

    /// Queues an input, handling outputs while the input queue is full (the parser thread
    /// may itself be waiting for room in the output queue).
    private func send(_ input: Input) {
        queues.condition.lock()
        while queues.inputs.count >= Queues.maxInputs {
            if let output = popOutputLocked() {
                queues.condition.unlock()
                handle(output)
                queues.condition.lock()
            } else {
                queues.condition.wait()
            }
        }
        queues.inputs.append(input)
        queues.condition.broadcast()
        queues.condition.unlock()
    }

    /// Handles the outputs available now, or all of them up to the end of the input.
    private func drain(waitForEnd: Bool) throws(XMLStreamError) {
        while true {
            queues.condition.lock()
            var batch = takeOutputsLocked()
            while batch.isEmpty && waitForEnd {
                queues.condition.wait()
                batch = takeOutputsLocked()
            }
            queues.condition.unlock()
            if batch.isEmpty { return }
            for output in batch { if try handleOrStop(output) { return } }
        }
    }

    /// Handles one output; true at the end of the input.
    private func handleOrStop(_ output: Output) throws(XMLStreamError) -> Bool {
            switch output {
            case .failed(let error):
                failure = error
                if !done {
                    done = true
                    discarding = true
                    send(.cancel)
                }
                throw error
            case .finished:
                return true
            default:
                handle(output)
                return false
            }
    }

    /// Takes every output available (the caller holds the lock).
    private func takeOutputsLocked() -> ArraySlice<Output> {
        guard queues.outputHead < queues.outputs.count else { return [] }
        var batch: [Output] = []
        swap(&batch, &queues.outputs)
        let head = queues.outputHead
        queues.outputHead = 0
        queues.condition.broadcast()
        return batch[head...]
    }

    private func popOutputLocked() -> Output? {
        guard queues.outputHead < queues.outputs.count else { return nil }
        let output = queues.outputs[queues.outputHead]
        queues.outputHead += 1
        if queues.outputHead >= 16 {
            queues.outputs.removeFirst(queues.outputHead)
            queues.outputHead = 0
        }
        queues.condition.broadcast()
        return output
    }

    private func handle(_ output: Output) {
        switch output {
        case .events(let tape):
            if !discarding { replayer.replay(tape) }
            queues.condition.lock()
            if queues.spareTapes.count < Queues.maxOutputs { queues.spareTapes.append(tape) }
            queues.condition.unlock()
        case .failed(let error): if !discarding && failure == nil { failure = error }
        case .finished: break
        }
    }
}
