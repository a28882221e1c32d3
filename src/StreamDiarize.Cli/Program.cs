// Entry point of `streamdiarize`: one root command, one subcommand per job (Commands/); CliApp parses and runs.
return await StreamDiarize.Cli.CliApp.RunAsync(args).ConfigureAwait(false);
