package io.ffmnet.bindings;

import io.ffmnet.bindings.linux_x86_64.Constants;
import io.ffmnet.bindings.linux_x86_64.Errno;
import io.ffmnet.bindings.linux_x86_64.Functions;
import io.ffmnet.bindings.linux_x86_64.Structs;

import org.junit.jupiter.api.Test;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The generated bindings against values the Linux x86_64 ABI fixes, and against libc itself. */
class BindingsValuesTest {

    @Test
    void constantsHaveTheirLinuxValues() {
        assertEquals(0x80000000, Constants.EPOLLET);
        assertEquals(2147483648L, Integer.toUnsignedLong(Constants.EPOLLET));
        assertEquals(1, Constants.EPOLLIN);
        assertEquals(04000, Constants.SOCK_NONBLOCK);
        assertEquals(10, Constants.AF_INET6);
    }

    @Test
    void epollEventIsPackedWithDataAtOffsetFour() {
        assertEquals(12, Structs.SIZEOF_EPOLL_EVENT);
        assertEquals(4, Structs.OFFSETOF_EPOLL_EVENT_DATA);
        assertEquals(12, Structs.EPOLL_EVENT_LAYOUT.byteSize());
    }

    @Test
    void socketAddressesHaveTheirLinuxSizes() {
        assertEquals(28, Structs.SIZEOF_SOCKADDR_IN6);
        assertEquals(128, Structs.SIZEOF_SOCKADDR_STORAGE);
    }

    @Test
    void errnoNamesAreTheOnesNodePrints() {
        assertEquals("EAGAIN", Errno.name(11));
        assertEquals("ENOTSUP", Errno.name(95));
        assertEquals("ECONNREFUSED", Errno.name(111));
        assertNull(Errno.name(99999));
    }

    @Test
    void errnoDescriptionsAreStrerrorsText() {
        assertEquals("Connection refused", Errno.description(111));
        assertNull(Errno.description(99999));
    }

    @Test
    void everyLayoutHasTheSizeAndAlignmentOfItsStruct() throws ReflectiveOperationException {
        List<String> checked = new ArrayList<>();
        for (Field field : Structs.class.getFields()) {
            if (!field.getName().endsWith("_LAYOUT")) {
                continue;
            }
            String struct = field.getName().substring(0, field.getName().length() - "_LAYOUT".length());
            StructLayout layout = (StructLayout) field.get(null);
            assertEquals(Structs.class.getField("SIZEOF_" + struct).getLong(null), layout.byteSize(), struct);
            assertEquals(Structs.class.getField("ALIGNOF_" + struct).getLong(null), layout.byteAlignment(), struct);
            checked.add(struct);
        }
        assertFalse(checked.isEmpty(), "Structs has no layouts");
    }

    @Test
    void variadicFunctionsSayWhereTheirVariadicArgumentsStart() {
        assertEquals(2, Functions.FCNTL_FIRST_VARIADIC_ARG);
        assertEquals(2, Functions.OPEN_FIRST_VARIADIC_ARG);
        assertEquals(2, Functions.IOCTL_FIRST_VARIADIC_ARG);
    }

    @Test
    @SuppressWarnings("restricted") // linking is what this test is about; surefire grants native access
    void everyFunctionDescriptorLinksAgainstLibc() throws ReflectiveOperationException {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        List<String> linked = new ArrayList<>();
        for (Field field : Functions.class.getFields()) {
            if (field.getType() != FunctionDescriptor.class) {
                continue;
            }
            String name = field.getName().toLowerCase(Locale.ROOT);
            MemorySegment symbol = libc.find(name).orElseThrow(() -> new AssertionError("libc has no " + name));
            FunctionDescriptor descriptor = (FunctionDescriptor) field.get(null);
            Linker.Option[] options = variadicFrom(field.getName())
                    .map(index -> new Linker.Option[] {Linker.Option.firstVariadicArg(index)})
                    .orElse(new Linker.Option[0]);
            linker.downcallHandle(symbol, descriptor, options);
            linked.add(name);
        }
        assertFalse(linked.isEmpty(), "Functions has no descriptors");
    }

    /** The first variadic argument of a function, from the generated NAME_FIRST_VARIADIC_ARG. */
    private static Optional<Integer> variadicFrom(String function) throws IllegalAccessException {
        try {
            return Optional.of(Functions.class.getField(function + "_FIRST_VARIADIC_ARG").getInt(null));
        } catch (NoSuchFieldException e) {
            return Optional.empty();
        }
    }
}
