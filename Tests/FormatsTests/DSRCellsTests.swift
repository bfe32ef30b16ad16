import Foundation
import OeuvreTestSupport
import Testing

@testable import Formats

/// The word-at-a-time cell splitter against a byte-by-byte reference on random lines full of TABs,
/// escapes, pipes, control bytes and multi-byte characters (across 8-byte word boundaries).
@Suite struct DSRCellsTests {
    /// Reference: cells as (start, end, backslash flag) with the tokenization documented on `DSRCells`.
    static func reference(_ b: [UInt8]) -> [(Int, Int, UInt8)] {
        var out: [(Int, Int, UInt8)] = []
        var start = 0
        var flag: UInt8 = 0
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c == 0x09 {
                out.append((start, i, flag))
                start = i + 1
                flag = 0
            } else if c == 0x5C {
                flag |= 1
                if i + 1 < n && (b[i + 1] == 0x09 || b[i + 1] == 0x7C) {
                    i += 1
                } else if i + 2 < n && b[i + 1] == 0x5C && (b[i + 2] == 0x7C || b[i + 2] == 0x5C) {
                    i += 2
                }
            }
            i += 1
        }
        out.append((start, n, flag))
        return out
    }

    @Test func wordSplitterMatchesTheReference() {
        var rng = SeededGenerator(seed: 42)
        let alphabet: [[UInt8]] = [[0x61], [0x62], [0x20], [0x09], [0x09], [0x5C], [0x7C], [0x01], [0x1E], Array("é".utf8),
                                   Array("東".utf8), [0x5C, 0x09], [0x5C, 0x5C, 0x7C], [0x5C, 0x5C, 0x5C], [0x30], [0x39]]
        let cells = DSRCells()
        for _ in 0..<5000 {
            var line: [UInt8] = []
            let pieces = Int(rng.next() % 40)
            for _ in 0..<pieces { line += alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let expected = Self.reference(line)
            let invalid = line.withUnsafeBytes { cells.split($0) }
            #expect(invalid == nil)
            let got = (1...cells.count).map { n -> (Int, Int, UInt8) in
                let r = cells.raw(n)
                let s = line.isEmpty ? 0 : r.baseAddress! - cells.base
                return (s, s + r.count, cells.flags(n))
            }
            #expect(got.count == expected.count)
            if got.count == expected.count {
                for (g, e) in zip(got, expected) where g != e {
                    Issue.record("line \(line): cell \(g) != \(e)")
                    break
                }
            }
        }
    }

    @Test func invalidUTF8IsFoundAfterASCIIWords() {
        let cells = DSRCells()
        var line = Array("AS02\tsome long ascii title here\tmore".utf8)
        line.append(0xC3)  // truncated 2-byte sequence at the end
        let bad = line.withUnsafeBytes { cells.split($0) }
        #expect(bad == line.count - 1)
        #expect(cells.cellIndex(ofByte: bad ?? 0) == 3)
        let ok = Array("x\té\t東京\tend".utf8)
        #expect(ok.withUnsafeBytes { cells.split($0) } == nil)
        #expect(cells.hasNonASCII)
    }

    @Test func byteKeyTableInternsAndGrows() {
        var t = ByteKeyTable()
        defer { t.free() }
        for i in 0..<10_000 {
            let k = Array("key-\(i)".utf8)
            let r = k.withUnsafeBufferPointer { t.intern($0) }
            #expect(r.index == i && r.inserted)
        }
        for i in stride(from: 0, to: 10_000, by: 97) {
            let k = Array("key-\(i)".utf8)
            #expect(k.withUnsafeBufferPointer { t.find($0) } == i)
            #expect(k.withUnsafeBufferPointer { t.intern($0) }.inserted == false)
        }
        #expect(Array("nope".utf8).withUnsafeBufferPointer { t.find($0) } == nil)
        t.removeAll()
        #expect(t.count == 0)
        #expect(Array("key-1".utf8).withUnsafeBufferPointer { t.find($0) } == nil)
    }
}

@Suite struct DSRCellValuesTests {
    @Test func pipesAndSeparators() {
        let cells = DSRCells()
        let line = Array("a|b\tno pipe\tesc\\\\|aped\tx\u{1E}y|z".utf8)
        _ = line.withUnsafeBytes { cells.split($0) }
        #expect(cells.hasPipe(1))
        #expect(!cells.hasPipe(2))
        #expect(!cells.hasPipe(3))
        #expect(cells.hasPipe(4))
        var out = ByteBuffer()
        defer { out.free() }
        let (n, odd) = cells.appendValues(4, to: &out, separator: 0x1D)
        #expect(n == 2 && !odd)
        #expect(out.string(0, out.count) == "x y\u{1D}z")
    }
}
