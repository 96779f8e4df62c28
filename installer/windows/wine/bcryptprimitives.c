/*
 * bcryptprimitives.dll for Wine 8 (tests only, never shipped): Rust's standard library
 * (1.78 and later) draws its random bytes from ProcessPrng, which Windows 10 and later
 * export from bcryptprimitives.dll and Wine gained only in 9.x. This forwards to
 * BCryptGenRandom with the system's preferred generator, which Wine 8 has.
 * Built by scripts/wine-runner.sh with mingw-w64 into the test prefix's system32.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
