import ArgumentParser
import Foundation
import OeuvreCore

/// `oeuvre id check VALUE`.
struct IdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id", abstract: "Identifier tools.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say which identifier VALUE is, its canonical form and whether it is valid (exit 0 valid, 3 invalid).")

        @Argument(help: "An ISWC, ISRC, IPI name number or IPI base number.") var value: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let kind = IdentifierKind.guess(value)
            var canonical: String?
            var formatted: String?
            var problem: String?
            do {
                switch kind {
                case .iswc: let v = try ISWC(value); canonical = v.value; formatted = v.formatted
                case .isrc: let v = try ISRC(value); canonical = v.value; formatted = v.formatted
                case .ipiName: let v = try IPINameNumber(value); canonical = v.value; formatted = v.value
                case .ipiBase: let v = try IPIBaseNumber(value); canonical = v.value; formatted = v.value
                case nil: problem = "not an ISWC, ISRC, IPI name number or IPI base number"
                }
            } catch {
                problem = error.problem.description
            }
            let valid = problem == nil
            if json {
                let obj: [String: Any] = [
                    "input": value, "kind": kind?.rawValue ?? NSNull(), "canonical": canonical ?? NSNull(),
                    "formatted": formatted ?? NSNull(), "valid": valid, "problem": problem ?? NSNull(),
                ]
                let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else if valid {
                print("\(kind!.rawValue): \(canonical!) (\(formatted!)) valid")
            } else {
                print("\(kind?.rawValue ?? "unknown"): \(value) invalid: \(problem!)")
            }
            if !valid { throw ExitCode(3) }
        }
    }
}
