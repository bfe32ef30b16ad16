import ArgumentParser
import Foundation
import Matching
import Normalization
import OeuvreCore

/// `oeuvre`: identifies the musical works behind the lines of usage reports.
public struct OeuvreCommand: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "oeuvre",
        abstract: "Identify the musical works behind the lines of music usage reports.",
        version: versionText,
        subcommands: [
            NormalizeCommand.self,
            IdCommand.self,
            DoctorCommand.self,
            TrainCommand.self,
            EvaluateCommand.self,
            BenchScorerCommand.self,
            BenchCommand.self,
            CatalogCommand.self,
            ReportCommand.self,
            SynthCommand.self,
            ReviewCommand.self,
            AuditCommand.self,
            LinksCommand.self,
            DevCommand.self,
            IndexCommand.self,
            MatchCommand.self,
        ]
    )

    public init() {}

    static var versionText: String {
        var lines = ["oeuvre \(version)", "ICU \(UnicodeFolding.icuVersion)", "OpenBLAS kernel \(BLAS.coreName) (\(BLAS.config))"]
        if let w = BLAS.kernelWarning { lines.append("warning: \(w)") }
        return lines.joined(separator: "\n")
    }
}

/// Prints an error compiler-style on stderr and maps it to the documented exit code
/// (2 usage/config, 3 bad input data, 1 other failures).
func fail(_ error: any Error) -> ExitCode {
    if let e = error as? OeuvreError {
        printError(e.description)
        return ExitCode(e.code.exitCode)
    }
    if let e = error as? IdentifierError {
        printError("error: \(e.description)")
        return ExitCode(3)
    }
    printError("error: \(error)")
    return ExitCode(1)
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Runs `body`, turning thrown errors into a printed diagnostic and an exit code.
func runReporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let e as ExitCode {
        throw e
    } catch let e as CleanExit {
        throw e
    } catch {
        throw fail(error)
    }
}

extension OeuvreCommand {
    /// Parses the process arguments and runs the chosen command (the executable's whole job).
    /// Usage errors (bad or conflicting flags) exit with 2 as documented, not ArgumentParser's 64.
    public static func run() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
