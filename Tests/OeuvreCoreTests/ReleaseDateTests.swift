import OeuvreCore
import Testing

@Suite struct ReleaseDateTests {
    @Test(arguments: [
        ("15-Apr-14", ReleaseDate(year: 2014, month: 4, day: 15)),
        ("1-Jul-99", ReleaseDate(year: 1999, month: 7, day: 1)),
        ("September 11 , 2015", ReleaseDate(year: 2015, month: 9, day: 11)),
        ("Sept. 11, 2015", ReleaseDate(year: 2015, month: 9, day: 11)),
        ("11 September 2015", ReleaseDate(year: 2015, month: 9, day: 11)),
        ("2015-09-11", ReleaseDate(year: 2015, month: 9, day: 11)),
        ("20150911", ReleaseDate(year: 2015, month: 9, day: 11)),
        ("2015-09", ReleaseDate(year: 2015, month: 9)),
        ("1997", ReleaseDate(year: 1997)),
    ])
    func parsesTheFormatsSourcesUse(raw: String, expected: ReleaseDate) {
        #expect(ReleaseDateParser.parse(raw) == expected)
    }

    @Test(arguments: ["", "soon", "31-Feb-15", "2015-13-01", "12", "May the fourth", "1.29"])
    func unknownFormatsAreNil(raw: String) {
        #expect(ReleaseDateParser.parse(raw) == nil)
    }

    @Test func dayNumbersCountDaysSince1970() {
        #expect(ReleaseDate(year: 1970, month: 1, day: 1).dayNumber == 0)
        #expect(ReleaseDate(year: 2000, month: 3, day: 1).dayNumber == 11_017)
        #expect(ReleaseDate(year: 2015, month: 9, day: 11).dayNumber! - ReleaseDate(year: 2015, month: 8, day: 12).dayNumber! == 30)
        #expect(ReleaseDate(year: 2015).dayNumber == nil)
    }

    @Test func scanFindsFullDatesInText() {
        #expect(ReleaseDateParser.scan("Hey Mama [ Remixes ] - EP $ 1.29 12-May-15") == [ReleaseDate(year: 2015, month: 5, day: 12)])
        #expect(ReleaseDateParser.scan("Bad Blood Taylor Swift Pop 3:31 October 27 , 2014") == [ReleaseDate(year: 2014, month: 10, day: 27)])
        // Years alone, prices, times and number lists are not dates.
        #expect(ReleaseDateParser.scan("( C ) 2014 Island Records $ 1.29 3:56 Turn Around ( 5,4,3,2,1 )").isEmpty)
    }
}
