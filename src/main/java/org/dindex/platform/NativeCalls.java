package org.dindex.platform;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.Optional;

/** Handles on C library functions, through the foreign function API: the one place this package links to libc. */
final class NativeCalls {
    private NativeCalls() {
    }

    /**
     * A handle on the C function {@code int name(int...)} of the C library. By reflection because the project
     * compiles for Java 21, where that API is a preview; the daemon runs on JDK 22+ where it is final (on 21 this
     * fails and callers keep their fallback).
     */
    static MethodHandle intFunction(String name, int intArguments) throws ReflectiveOperationException {
        Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
        Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
        Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
        Object lookup = linkerClass.getMethod("defaultLookup").invoke(linker);
        Object symbol = ((Optional<?>) Class.forName("java.lang.foreign.SymbolLookup")
                .getMethod("find", String.class).invoke(lookup, name)).orElseThrow(
                        () -> new NoSuchMethodException("no C function " + name));
        Object javaInt = Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_INT").get(null);
        Object arguments = Array.newInstance(layoutClass, intArguments);
        for (int i = 0; i < intArguments; i++) {
            Array.set(arguments, i, javaInt);
        }
        Object descriptor = descriptorClass.getMethod("of", layoutClass, arguments.getClass())
                .invoke(null, javaInt, arguments);
        Object options = Array.newInstance(optionClass, 0);
        return (MethodHandle) linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass,
                options.getClass()).invoke(linker, symbol, descriptor, options);
    }
}
