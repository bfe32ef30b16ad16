import OeuvreCommands

@main
struct Entrypoint {
    static func main() async {
        await OeuvreCommand.run()
    }
}
