package io.ffmnet.internal.sys;

import io.ffmnet.NetException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * getaddrinfo through FFM, answering as Node's {@code dns.lookup}. Only names the host answers
 * itself: no test here needs a network.
 */
@Timeout(60)
class DnsTest {
    @Test
    void localhostResolvesToALoopbackAddress() {
        Dns.Answer answer = Dns.lookup("localhost", 0);
        assertEquals(0, answer.status());
        assertTrue(answer.ok());
        assertFalse(answer.addresses().isEmpty());
        for (int i = 0; i < answer.addresses().size(); i++) {
            String address = answer.addresses().get(i);
            assertTrue(address.equals("::1") || address.startsWith("127."), address);
            int expectedFamily = address.contains(":") ? SysConstants.AF_INET6 : SysConstants.AF_INET;
            assertEquals(expectedFamily, answer.families().get(i));
        }
    }

    @Test
    void eachAddressIsListedOnceAndInGetaddrinfoOrder() {
        Dns.Answer answer = Dns.lookup("localhost", 0);
        assertEquals(answer.addresses().stream().distinct().toList(), answer.addresses());
    }

    @Test
    void askingForIPv4GivesOnlyIPv4() {
        Dns.Answer answer = Dns.lookup("localhost", SysConstants.AF_INET);
        assertEquals(0, answer.status());
        assertTrue(answer.addresses().contains("127.0.0.1"), answer.toString());
        assertTrue(answer.families().stream().allMatch(f -> f == SysConstants.AF_INET));
    }

    @Test
    void anIpLiteralAnswersItselfWithItsFamily() {
        assertEquals(new Dns.Answer(0, List.of("10.1.2.3"), List.of(SysConstants.AF_INET)),
                Dns.lookup("10.1.2.3", 0));
        assertEquals(new Dns.Answer(0, List.of("::1"), List.of(SysConstants.AF_INET6)),
                Dns.lookup("::1", 0));
        // dns.lookup answers a literal as it is, whatever family was asked for.
        assertEquals(new Dns.Answer(0, List.of("fe80::1%1"), List.of(SysConstants.AF_INET6)),
                Dns.lookup("fe80::1%1", SysConstants.AF_INET));
    }

    @Test
    void anUnknownNameIsENOTFOUND() {
        Dns.Answer answer = Dns.lookup("nonexistent.invalid", 0);
        assertFalse(answer.ok());
        assertTrue(answer.status() == Dns.UV_EAI_NONAME || answer.status() == Dns.UV_EAI_NODATA
                        || answer.status() == Dns.UV_EAI_AGAIN,   // a resolver that cannot be reached
                "status " + answer.status());
        assertEquals(List.of(), answer.addresses());
    }

    @Test
    void anEmptyOrNulNameIsNotLookedUp() {
        assertEquals(Dns.UV_EAI_NONAME, Dns.lookup("", 0).status());
        assertEquals(Dns.UV_EAI_NONAME, Dns.lookup("localhost\0.evil", 0).status());
    }

    @Test
    void aFamilyOtherThanTheTwoIpFamiliesIsEAI_FAMILY() {
        assertEquals(Dns.UV_EAI_FAMILY, Dns.lookup("localhost", SysConstants.AF_UNIX).status());
    }

    @Test
    void lookupErrorsHaveNodesShape() {
        NetException e = Errors.lookupException(Dns.UV_EAI_NONAME, "nonexistent.invalid");
        assertEquals("ENOTFOUND", e.code());
        assertEquals(-3008, e.errno());
        assertEquals("getaddrinfo", e.syscall());
        assertEquals("nonexistent.invalid", e.hostname());
        assertEquals("getaddrinfo ENOTFOUND nonexistent.invalid", e.getMessage());
        assertNull(e.address());
        assertEquals(-1, e.port());

        NetException noData = Errors.lookupException(Dns.UV_EAI_NODATA, "x.invalid");
        assertEquals("ENOTFOUND", noData.code());
        assertEquals(-3007, noData.errno());

        NetException again = Errors.lookupException(Dns.UV_EAI_AGAIN, "x.invalid");
        assertEquals("EAI_AGAIN", again.code());
        assertEquals(-3001, again.errno());
        assertEquals("getaddrinfo EAI_AGAIN x.invalid", again.getMessage());
    }

    @Test
    void glibcCodesTranslateToLibuvs() {
        assertEquals(Dns.UV_EAI_NONAME, Dns.translate(-2));
        assertEquals(Dns.UV_EAI_AGAIN, Dns.translate(-3));
        assertEquals(Dns.UV_EAI_FAIL, Dns.translate(-4));
        assertEquals(Dns.UV_EAI_NODATA, Dns.translate(-5));
    }
}
