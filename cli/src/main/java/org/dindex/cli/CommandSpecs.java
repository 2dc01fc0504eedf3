package org.dindex.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * picocli models written in code, for the commands that must start fastest (the root, {@code status}, {@code search},
 * {@code context}, {@code ping}): each command declares its options once, here in code, instead of with annotations.
 *
 * <p>Why: picocli reads an annotated command through reflection, and every annotation it reads is an instance of a
 * dynamic proxy class the JVM generates in the process (seven for {@code dindex status}); the JDK's ahead-of-time cache
 * cannot keep those, so each command paid for generating them and for the reflection, a large part of a command that
 * otherwise runs from the cache (docs/benchmarks.md, {@code bench cli}). A model built with
 * {@link CommandSpec#wrapWithoutInspection} reads no annotation. The commands that are not on that path keep their
 * annotations and hang under this root as before.
 *
 * <p>Each option is bound to its command's field through a {@link Field}: the type picocli converts values to, and
 * the field's getter and setter, so the command reads its fields as an annotated one does.
 */
final class CommandSpecs {
    private CommandSpecs() {
    }

    /** A command's model, built on {@code command}, which picocli runs and whose fields the options set. */
    static Builder command(Object command, String name) {
        return new Builder(command, name);
    }

    /** The model being built: a thin layer over picocli's own builders that binds each argument to a field. */
    static final class Builder {
        private final CommandSpec spec;

        private Builder(Object command, String name) {
            spec = CommandSpec.wrapWithoutInspection(command).name(name);
        }

        /** The description, one paragraph per line (picocli's {@code @Command(description)}). */
        Builder description(String... lines) {
            spec.usageMessage().description(lines);
            return this;
        }

        /** The help's footer: examples, each indented two spaces, then any further lines, under "Examples:". */
        Builder examples(String... lines) {
            spec.usageMessage().footerHeading(Examples.HEADING).footer(lines);
            return this;
        }

        /** An option described by {@code option} (names, label, default, description), bound to {@code field}. */
        Builder option(OptionSpec.Builder option, Field<?> field) {
            spec.addOption(field.bind(option).build());
            return this;
        }

        /**
         * A positional parameter described by {@code parameter}, bound to {@code field}; required when its arity
         * asks for at least one value (one by default), as for an annotated one.
         */
        Builder positional(PositionalParamSpec.Builder parameter, Field<?> field) {
            parameter.required(parameter.arity() == null || parameter.arity().min() > 0);
            spec.addPositional(field.bind(parameter).build());
            return this;
        }

        /** An option of picocli's own (help, version), bound to nothing. */
        Builder option(OptionSpec.Builder option) {
            spec.addOption(option.build());
            return this;
        }

        /** What {@code --version} prints. */
        Builder version(CommandLine.IVersionProvider provider) {
            spec.versionProvider(provider);
            return this;
        }

        CommandSpec build() {
            return spec;
        }
    }

    /**
     * A field of a command, as picocli reads and writes it: the type values are converted to (and for a list or a
     * map, the types of its elements), and the field's getter and setter. Its value when the model is built is its
     * initial value, which picocli restores before each parse, as it does for an annotated field.
     */
    record Field<T>(Class<?> type, Class<?>[] elementTypes, Supplier<T> getter, Consumer<T> setter)
            implements CommandLine.Model.IGetter, CommandLine.Model.ISetter {

        static Field<Boolean> flag(Supplier<Boolean> getter, Consumer<Boolean> setter) {
            return new Field<>(boolean.class, new Class<?>[0], getter, setter);
        }

        static Field<Integer> integer(Supplier<Integer> getter, Consumer<Integer> setter) {
            return new Field<>(int.class, new Class<?>[0], getter, setter);
        }

        static Field<String> string(Supplier<String> getter, Consumer<String> setter) {
            return new Field<>(String.class, new Class<?>[0], getter, setter);
        }

        static Field<Path> path(Supplier<Path> getter, Consumer<Path> setter) {
            return new Field<>(Path.class, new Class<?>[0], getter, setter);
        }

        /**
         * Values of a {@link Path} option: picocli's own converter (kept for Java 5) calls {@code Paths.get} through
         * reflection, which makes the JVM generate method-handle classes at every command; this calls it directly,
         * with the same message for a name that is no path.
         */
        private static Path toPath(String value) {
            try {
                return Path.of(value);
            } catch (InvalidPathException e) {
                throw new CommandLine.TypeConversionException(String.format("cannot convert '%s' to %s (%s)", value,
                        Path.class, e));
            }
        }

        static <E extends Enum<E>> Field<E> choice(Class<E> type, Supplier<E> getter, Consumer<E> setter) {
            return new Field<>(type, new Class<?>[0], getter, setter);
        }

        static Field<List<String>> strings(Supplier<List<String>> getter, Consumer<List<String>> setter) {
            return new Field<>(List.class, new Class<?>[]{String.class}, getter, setter);
        }

        static Field<Map<String, String>> keyValues(Supplier<Map<String, String>> getter,
                                                    Consumer<Map<String, String>> setter) {
            return new Field<>(Map.class, new Class<?>[]{String.class, String.class}, getter, setter);
        }

        private OptionSpec.Builder bind(OptionSpec.Builder option) {
            option.type(type).auxiliaryTypes(elementTypes).getter(this).setter(this).initialValue(getter.get())
                    .hasInitialValue(true);
            if (type == Path.class) {
                option.converters(Field::toPath);
            }
            return option;
        }

        private PositionalParamSpec.Builder bind(PositionalParamSpec.Builder parameter) {
            parameter.type(type).auxiliaryTypes(elementTypes).getter(this).setter(this).initialValue(getter.get())
                    .hasInitialValue(true);
            return parameter;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> V get() {
            return (V) getter.get();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> V set(V value) {
            V previous = (V) getter.get();
            setter.accept((T) value);
            return previous;
        }
    }
}
