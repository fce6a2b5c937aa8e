import Foundation
import XMLStreaming

/// Runs libxml2 and record collection on a thread of its own, handing collected documents
/// back to the caller's thread through a bounded queue, where ``DocumentChecker`` checks them
/// and calls the sink. Both queues are bounded, so memory stays flat: at most a few input
/// chunks and a few thousand collected documents are in flight.
final class DecoderPipeline {
    /// What flows from the caller to the parser thread.
    enum Input: Sendable {
        case chunk([UInt8])
        case finish
        case cancel
    }

    /// What flows back.
    enum Output: Sendable {
        case messageStarted(MessageHeader)
        case document(CollectedDocument)
        case messageFinished(MessageEnvelope)
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
        static let maxInputs = 4
        static let maxOutputs = 1024
        /// Outputs are handed over in batches, so the threads meet about once per batch, not per document.
        static let batch = 128
    }

    /// Sends the collecting half's events into the output queue, copying each document into
    /// right-sized buffers so the collector's own buffers stay unshared and reusable.
    final class Forwarder: DecoderOutput {
        let queues: Queues
        var pending: [Output] = []
        init(queues: Queues) { self.queues = queues }

        func messageStarted(_ header: MessageHeader) { push(.messageStarted(header)) }
        func messageFinished(_ envelope: MessageEnvelope) { push(.messageFinished(envelope)) }
        func document(_ document: CollectedDocument) {
            var copy = document
            copy.text = document.text.withUnsafeBufferPointer { Array($0) }
            copy.headSlots = document.headSlots.withUnsafeBufferPointer { Array($0) }
            copy.lineSlots = document.lineSlots.withUnsafeBufferPointer { Array($0) }
            push(.document(copy))
        }

        func push(_ output: Output) {
            pending.append(output)
            if pending.count >= Queues.batch { flush() }
        }

        /// Hands the pending outputs over.
        func flush() {
            guard !pending.isEmpty else { return }
            queues.condition.lock()
            while queues.outputs.count - queues.outputHead >= Queues.maxOutputs { queues.condition.wait() }
            queues.outputs.append(contentsOf: pending)
            queues.condition.broadcast()
            queues.condition.unlock()
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// The parser and its collector, confined to the parser thread once started.
    final class Worker: @unchecked Sendable {
        // Created on the caller's thread, then used only by the parser thread.
        let parser: XMLPushParser
        let forwarder: Forwarder
        init(limits: CEBLimits, queues: Queues, streamsParts: Bool) {
            forwarder = Forwarder(queues: queues)
            parser = XMLPushParser(vocabulary: DecoderTables.shared.vocabulary, limits: limits.xml,
                                   handler: DecoderCore(limits: limits, output: forwarder, streamsParts: streamsParts))
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
                    do throws(XMLStreamError) {
                        try parser.feed(bytes)
                    } catch {
                        failed = true
                        forwarder.push(.failed(error))
                    }
                    forwarder.flush()
                    publishConsumed(queues)
                case .finish:
                    if !failed {
                        do throws(XMLStreamError) {
                            try parser.finish()
                            forwarder.push(.finished)
                        } catch {
                            forwarder.push(.failed(error))
                        }
                    }
                    forwarder.flush()
                    publishConsumed(queues)
                    return
                }
            }
        }

        private func publishConsumed(_ queues: Queues) {
            let consumed = parser.bytesConsumed
            queues.condition.lock()
            queues.consumed = consumed
            queues.condition.unlock()
        }
    }

    let queues = Queues()
    let checker: DocumentChecker
    private var failure: XMLStreamError?
    private var done = false
    /// Set while cancelling: outputs are dropped, the sink is not called.
    private var discarding = false

    init(limits: CEBLimits, checker: DocumentChecker, streamsParts: Bool) {
        self.checker = checker
        let worker = Worker(limits: limits, queues: queues, streamsParts: streamsParts)
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
        if queues.outputHead >= 1024 {
            queues.outputs.removeFirst(queues.outputHead)
            queues.outputHead = 0
        }
        queues.condition.broadcast()
        return output
    }

    private func handle(_ output: Output) {
        if discarding { return }
        switch output {
        case .messageStarted(let header): checker.messageStarted(header)
        case .document(let document): checker.document(document)
        case .messageFinished(let envelope): checker.messageFinished(envelope)
        case .failed(let error): if failure == nil { failure = error }
        case .finished: break
        }
    }
}
