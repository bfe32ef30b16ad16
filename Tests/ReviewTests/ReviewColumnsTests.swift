import Review
import Testing

@Suite struct ReviewColumnsTests {
    @Test func reviewerColumnsAreNamed() {
        #expect(ReviewQueueColumns.decision == "decision")
        #expect(ReviewQueueColumns.note == "note")
    }
}
