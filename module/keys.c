/* keys.c -- see keys.h. */
#include "keys.h"

#include <stdio.h>
#include <string.h>

#include "utf8.h"

static const struct {
    const char *name;
    VTermKey key;
} key_names[] = {
    {"<return>", VTERM_KEY_ENTER},
    {"<tab>", VTERM_KEY_TAB},
    {"<backspace>", VTERM_KEY_BACKSPACE},
    {"<escape>", VTERM_KEY_ESCAPE},
    {"<up>", VTERM_KEY_UP},
    {"<down>", VTERM_KEY_DOWN},
    {"<left>", VTERM_KEY_LEFT},
    {"<right>", VTERM_KEY_RIGHT},
    {"<insert>", VTERM_KEY_INS},
    {"<delete>", VTERM_KEY_DEL},
    {"<deletechar>", VTERM_KEY_DEL},
    {"<home>", VTERM_KEY_HOME},
    {"<end>", VTERM_KEY_END},
    {"<prior>", VTERM_KEY_PAGEUP},
    {"<next>", VTERM_KEY_PAGEDOWN},
    {"<kp-0>", VTERM_KEY_KP_0},
    {"<kp-1>", VTERM_KEY_KP_1},
    {"<kp-2>", VTERM_KEY_KP_2},
    {"<kp-3>", VTERM_KEY_KP_3},
    {"<kp-4>", VTERM_KEY_KP_4},
    {"<kp-5>", VTERM_KEY_KP_5},
    {"<kp-6>", VTERM_KEY_KP_6},
    {"<kp-7>", VTERM_KEY_KP_7},
    {"<kp-8>", VTERM_KEY_KP_8},
    {"<kp-9>", VTERM_KEY_KP_9},
    {"<kp-add>", VTERM_KEY_KP_PLUS},
    {"<kp-subtract>", VTERM_KEY_KP_MINUS},
    {"<kp-multiply>", VTERM_KEY_KP_MULT},
    {"<kp-divide>", VTERM_KEY_KP_DIVIDE},
    {"<kp-equal>", VTERM_KEY_KP_EQUAL},
    {"<kp-decimal>", VTERM_KEY_KP_PERIOD},
    {"<kp-separator>", VTERM_KEY_KP_COMMA},
    {"<kp-enter>", VTERM_KEY_KP_ENTER},
};

/* VTERM_KEY_* for NAME ("<up>", "<f5>", ...), or VTERM_KEY_NONE. */
static VTermKey key_by_name(const char *name)
{
    size_t i;
    int n;
    char end;

    for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strcmp(name, key_names[i].name) == 0)
            return key_names[i].key;
    if (sscanf(name, "<f%d%c", &n, &end) == 2 && end == '>' && n >= 0 &&
        n <= 24 && strlen(name) <= 5)
        return VTERM_KEY_FUNCTION(n);
    return VTERM_KEY_NONE;
}

void send_key(struct render *r, const char *key, size_t len, VTermModifier mod)
{
    VTermKey k = VTERM_KEY_NONE;
    size_t off = 0;
    uint32_t c;

    if (len > 2 && key[0] == '<' && key[len - 1] == '>') {
        /* emacs-libvterm's names for the bracketed-paste markers. */
        if (strcmp(key, "<start_paste>") == 0 ||
            strcmp(key, "<end_paste>") == 0) {
            render_paste_bracket(r, key[1] == 's');
            return;
        }
        k = key_by_name(key);
    }
    if (k != VTERM_KEY_NONE) {
        render_key(r, k, mod);
        return;
    }
    while (off < len) {
        off += utf8_decode((const unsigned char *)key + off, len - off, &c);
        render_unichar(r, c, mod);
    }
}
