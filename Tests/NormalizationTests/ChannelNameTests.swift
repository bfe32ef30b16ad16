import Normalization
import Testing

@Suite struct ChannelNameTests {
    @Test(arguments: [
        ("TaylorSwiftVEVO", "Taylor Swift"),
        ("GunsNRosesVEVO", "Guns N Roses"),
        ("ThePasadenasVEVO", "The Pasadenas"),
        ("Bob Dylan VEVO", "Bob Dylan"),
        ("emmersonnogueiraVEVO", "emmersonnogueira"),
        ("Blink182VEVO", "Blink182"),
        ("Bob Dylan - Topic", "Bob Dylan"),
        ("Zimbo Trio - Topic ", "Zimbo Trio"),
    ])
    func channelsNamingTheArtist(_ channel: String, _ artist: String) {
        #expect(ChannelName.artist(channel) == artist)
    }

    @Test(arguments: ["Ceejayqb", "Brasilidades - O Melhor da Música Brasileira", "VEVO", "ABCVEVO", " - Topic",
                      "Vevo Fan Club", "The Topic", "Roxy Music", "MGMT", ""])
    func otherNamesAreUnchanged(_ name: String) {
        #expect(ChannelName.artist(name) == name)
    }
}
