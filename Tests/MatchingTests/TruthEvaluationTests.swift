import Foundation
import Matching
import OeuvreCore
import Testing

@Suite struct TruthEvaluationTests {
    static let rows: [ResultRow] = [
        // l1: right at rank 1, auto.
        ResultRow(lineId: "l1", rank: 1, workId: "A", confidence: 0.99, decision: .auto),
        ResultRow(lineId: "l1", rank: 2, workId: "B", confidence: 0.2, decision: .none),
        // l2: right at rank 2, review.
        ResultRow(lineId: "l2", rank: 2, workId: "C", confidence: 0.5, decision: .review),
        ResultRow(lineId: "l2", rank: 1, workId: "D", confidence: 0.6, decision: .review),
        // l3: wrong auto.
        ResultRow(lineId: "l3", rank: 1, workId: "E", confidence: 0.97, decision: .auto),
        // l4: out of catalogue, no candidate.
        ResultRow(lineId: "l4", rank: 0, workId: "", decision: .none),
        // l5: out of catalogue, wrongly auto-matched.
        ResultRow(lineId: "l5", rank: 1, workId: "A", confidence: 0.98, decision: .auto),
        // not in the truth
        ResultRow(lineId: "zz", rank: 1, workId: "A", confidence: 0.98, decision: .auto),
    ]
    static let truth = ["l1": "A", "l2": "C", "l3": "F", "l4": "", "l5": "", "l6": "A"]

    @Test func lineMetrics() {
        let r = TruthEvaluation.evaluate(rows: Self.rows, truth: Self.truth, ks: [1, 2, 10])
        let m = r.byLine
        #expect(m.lines == 6)
        #expect(m.inCatalogue == 4)
        #expect(m.outOfCatalogue == 2)
        #expect(m.top1 == 0.25)                     // l1 of l1, l2, l3, l6
        #expect(m.recallAtK[2] == 0.5)              // + l2
        #expect(m.recallAtK[10] == 0.5)
        #expect(abs(m.autoPrecision - 1.0 / 3) < 1e-12)  // l1 right; l3, l5 wrong
        #expect(m.autoShare == 0.5)
        #expect(abs(m.reviewShare - 1.0 / 6) < 1e-12)
        #expect(abs(m.noneShare - 2.0 / 6) < 1e-12)    // l4 and the missing l6
        #expect(m.wrongAutoOut == 0.5)
        #expect(m.reviewTop1 == 0)
        #expect(r.missingLines == 1)
        #expect(r.missingExamples == ["l6"])
        #expect(r.unjudgedLines == 1)
        #expect(r.byPlays == m)
    }

    @Test func candidateCalibration() {
        // Judged candidate rows: l1 A (right) 0.99, B 0.2; l2 C (right) 0.5, D 0.6; l3 E 0.97; l5 A 0.98 (out of
        // catalogue: every candidate wrong). Not l4's rank-0 row, not the unjudged zz.
        let m = TruthEvaluation.evaluate(rows: Self.rows, truth: Self.truth).byLine
        #expect(m.candidateRows == 6)
        let expected = -[0.99, 0.8, 0.5, 0.4, 0.03, 0.02].map { log($0) }.reduce(0, +) / 6
        #expect(abs(m.candidateLogLoss - expected) < 1e-6)
        // Bins: 0.2 → 0 of 1; 0.5 → 1 of 1; 0.6 → 0 of 1; 0.97, 0.98, 0.99 → 1 of 3.
        let ece = (0.2 + 0.5 + 0.6 + abs(0.97 + 0.98 + 0.99 - 1)) / 6
        #expect(abs(m.candidateECE - ece) < 1e-6)
        #expect(m.dictionary()["log_loss"] != nil && m.dictionary()["ece"] != nil)
        #expect(TruthEvaluation.evaluate(rows: [], truth: [:]).byLine.candidateLogLoss.isNaN)
    }

    @Test func playsWeighting() {
        let plays = ["l1": 10.0, "l2": 1, "l3": 1, "l4": 1, "l5": 1, "l6": 1]
        let r = TruthEvaluation.evaluate(rows: Self.rows, truth: Self.truth, plays: plays, ks: [1])
        #expect(r.byPlays.lines == 15)
        #expect(r.byPlays.top1 == 10.0 / 13)
        #expect(r.byPlays.autoPrecision == 10.0 / 12)
    }

    @Test func emptyInputsGiveUndefinedRatios() {
        let r = TruthEvaluation.evaluate(rows: [], truth: [:])
        #expect(r.byLine.top1.isNaN)
        #expect(r.byLine.dictionary()["top1"]! == nil)
    }
}

@Suite struct NumberWordsTests {
    @Test(arguments: [
        ("twenty four hours", "24 hours"), ("twenty five miles", "25 miles"), ("five oclock world", "5 oclock world"),
        ("one hundred and ten", "110"), ("seven nation army", "7 nation army"), ("two hearts one love", "2 hearts one love"),
    ])
    func converts(_ title: String, _ expected: String) {
        #expect(NumberWords.digits(title) == expected)
    }

    @Test(arguments: ["one love", "yesterday", "", "the one", "24 hours"])
    func leavesAlone(_ title: String) {
        #expect(NumberWords.digits(title) == nil)
    }
}
