package org.dindex.tools;

import org.dindex.config.Version;
import org.dindex.cli.Examples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code dindex bench} or {@code dindex eval} when {@code dindex-bench.jar} is not beside the daemon jar (a container
 * image, a package without it): one line saying where the command comes from, instead of "unknown command".
 */
@Command(description = "Not in this installation: comes with dindex-bench.jar.", mixinStandardHelpOptions = true)
final class MissingToolCommand implements Callable<Integer> {
    private final String name;

    @Unmatched
    List<String> rest;

    @Spec
    CommandSpec spec;

    MissingToolCommand(String name) {
        this.name = name;
    }

    /** The command for {@code name}, its help ending with the examples the real command has first. */
    static CommandSpec spec(String name, String example) {
        CommandSpec spec = CommandSpec.forAnnotatedObject(new MissingToolCommand(name));
        spec.usageMessage().footerHeading(Examples.HEADING).footer("  dindex " + name + example);
        return spec;
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("dindex: '" + name + "' comes with dindex-bench.jar, which is not"
                + " beside the daemon jar here (dindex " + Version.get() + "); a release tarball has it in lib/, and mvn package builds it"
                + " as target/dindex-bench.jar");
        return 1;
    }
}
