import Catalogue
import Testing

@Suite struct CatalogueInfoTests {
    @Test func applicationIDSpellsOEUV() {
        let id = UInt32(bitPattern: CatalogueInfo.applicationID)
        let bytes = [UInt8(id >> 24), UInt8((id >> 16) & 0xFF), UInt8((id >> 8) & 0xFF), UInt8(id & 0xFF)]
        #expect(String(decoding: bytes, as: UTF8.self) == "OEUV")
    }
}
