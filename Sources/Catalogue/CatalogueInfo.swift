/// Identity of an Oeuvre catalogue database.
public enum CatalogueInfo {
    /// Written to SQLite's `application_id` so that a foreign database is refused ("OEUV").
    public static let applicationID: Int32 = 0x4F45_5556
}
