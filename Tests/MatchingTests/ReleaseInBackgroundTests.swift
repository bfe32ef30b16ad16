import Foundation
import Testing
@testable import Matching

/// `releaseInBackground`: `MatchPipeline.run` drops a report's lines with it once they are grouped.
@Suite struct ReleaseInBackgroundTests {
    /// Where and whether a `Tracked` was released (written by its deinit before it signals).
    final class Release: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var thread: pthread_t?
    }

    final class Tracked: @unchecked Sendable {
        let release: Release
        init(_ release: Release) { self.release = release }
        deinit {
            release.thread = pthread_self()
            release.done.signal()
        }
    }

    @Test func theLastReferenceIsDroppedOnAnotherThread() throws {
        let release = Release()
        var values = [Tracked(release)]
        values.append(contentsOf: [])  // a var, as a report's lines are
        releaseInBackground(consume values)
        #expect(release.done.wait(timeout: .now() + 10) == .success)
        let thread = try #require(release.thread)
        #expect(pthread_equal(thread, pthread_self()) == 0)
    }

    @Test func aValueStillHeldElsewhereIsNotReleased() {
        let release = Release()
        let kept = [Tracked(release)]
        releaseInBackground(kept)
        #expect(release.done.wait(timeout: .now() + 1) == .timedOut)
        withExtendedLifetime(kept) {}
    }
}
