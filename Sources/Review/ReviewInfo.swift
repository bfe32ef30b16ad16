/// Column names of the review queue (the contract reviewers' spreadsheets rely on).
public enum ReviewQueueColumns {
    /// Columns a reviewer fills in.
    public static let decision = "decision"
    public static let note = "note"
}
