#ifndef CLEARANCE_COPENSSL_SHIM_H
#define CLEARANCE_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/ecdsa.h>
#include <openssl/rand.h>
#include <openssl/core_names.h>

/*
 * PKCS#11 keys go through OpenSSL's ENGINE API with libp11's "pkcs11" engine (Debian 12:
 * libengine-pkcs11-openssl). The ENGINE API is deprecated in OpenSSL 3 but is the only PKCS#11
 * route Debian 12 packages (pkcs11-provider arrives with Debian 13). These wrappers keep the
 * deprecated calls, and their warnings, inside this header: Swift sees a few plain functions.
 */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
#include <openssl/engine.h>
#include <openssl/ui.h>

/*
 * A functional reference to the engine named `engine_id` (loaded from OpenSSL's engines directory), or NULL.
 * `module_path` (may be NULL: the engine's default) is set before ENGINE_init, as libp11 requires; the
 * engine is told to be quiet (it otherwise prints its failures on standard error; the error queue has them).
 */
static inline ENGINE *clearance_engine_open(const char *engine_id, const char *module_path) {
    ENGINE *engine = ENGINE_by_id(engine_id);
    if (engine == NULL) return NULL;
    if (module_path != NULL && ENGINE_ctrl_cmd_string(engine, "MODULE_PATH", module_path, 0) != 1) {
        ENGINE_free(engine);
        return NULL;
    }
    (void)ENGINE_ctrl_cmd_string(engine, "QUIET", NULL, 1);
    if (ENGINE_init(engine) != 1) {
        ENGINE_free(engine);
        return NULL;
    }
    ENGINE_free(engine); /* the functional reference from ENGINE_init keeps it alive */
    return engine;
}

/* `ENGINE_ctrl_cmd_string`; 1 on success. `optional` 1: a command the engine lacks is not an error. */
static inline int clearance_engine_command(ENGINE *engine, const char *name, const char *argument, int optional) {
    return ENGINE_ctrl_cmd_string(engine, name, argument, optional);
}

static inline int clearance_refuse_prompt(UI *ui, UI_STRING *prompt) { (void)ui; (void)prompt; return 0; }

/*
 * A UI method whose reader always fails: handed to the engine so that a token wanting a PIN that was
 * not given fails at once instead of prompting on the terminal. Made once per call: keep it for the process.
 */
static inline UI_METHOD *clearance_no_prompt_ui(void) {
    UI_METHOD *method = UI_create_method("clearance: no PIN prompts");
    if (method != NULL) UI_method_set_reader(method, clearance_refuse_prompt);
    return method;
}

/* A private key (an `EVP_PKEY` whose operations run on the token) by its PKCS#11 URI, or NULL. */
static inline EVP_PKEY *clearance_engine_load_private_key(ENGINE *engine, const char *uri, UI_METHOD *ui) {
    return ENGINE_load_private_key(engine, uri, ui, NULL);
}
#pragma clang diagnostic pop
#endif
