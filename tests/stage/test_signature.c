/*
 * test_signature.c - the stage's X-Twilio-Signature (fixtures/stage/
 * signature.c) against the test vector in twilio-node's own tests, plus the
 * properties the stage relies on: parameter order does not matter, any
 * change to the URL, a parameter or the token does.
 */
#include <stdio.h>
#include <string.h>

#include "signature.h"

static int failures;

static void check(const char *what, bool ok)
{
    if (!ok) {
        printf("FAIL: %s\n", what);
        failures++;
    }
}

static const char *sign(const char *token, const char *url, struct stage_param *params,
                        size_t count)
{
    static char out[STAGE_SIGNATURE_LEN + 1];
    if (!stage_signature(token, url, params, count, out))
        return "(failed)";
    return out;
}

int main(void)
{
    const char *url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const char *want = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
    /* Deliberately not in name order. */
    struct stage_param params[] = {
        {"To", "+18005551212"},      {"Digits", "1234"},
        {"CallSid", "CA1234567890ABCDE"}, {"From", "+14158675309"},
        {"Caller", "+14158675309"},
    };
    size_t n = sizeof params / sizeof params[0];
    check("test vector", strcmp(sign("12345", url, params, n), want) == 0);
    check("sorted in place", strcmp(params[0].name, "CallSid") == 0 &&
                             strcmp(params[4].name, "To") == 0);
    check("same again", strcmp(sign("12345", url, params, n), want) == 0);
    check("other token", strcmp(sign("12346", url, params, n), want) != 0);
    check("other URL", strcmp(sign("12345", "https://mycompany.com/myapp.php?foo=1", params, n),
                              want) != 0);
    params[1].value = "+14158675308";
    check("other value", strcmp(sign("12345", url, params, n), want) != 0);
    check("no parameters", strlen(sign("12345", url, NULL, 0)) == STAGE_SIGNATURE_LEN);

    check("equal", stage_signature_equal(want, want));
    check("not equal", !stage_signature_equal("RSOYDt4T1cUTdK1PDd93/VVr8B8", want));
    check("missing", !stage_signature_equal(NULL, want));

    printf("%s\n", failures ? "signature: FAILED" : "signature: ok");
    return failures ? 1 : 0;
}
