'use strict';
// Validation of what clients send, with Discord's limits and error shapes:
// message bodies (content, embeds, legacy and V2 components, flags),
// application commands and their options, autocomplete choices and modals.
// Each validator returns null when the input is valid, or the `errors`
// object of a 50035 "Invalid Form Body" reply ({field: {_errors: [...]}}).

const FLAGS = Object.freeze({
    SUPPRESS_EMBEDS: 1 << 2,
    EPHEMERAL: 1 << 6,
    LOADING: 1 << 7,
    SUPPRESS_NOTIFICATIONS: 1 << 12,
    IS_COMPONENTS_V2: 1 << 15,
});

class Errs {
    constructor() { this.root = {}; this.any = false; }

    add(path, code, message) {
        let node = this.root;
        for (const p of path) {
            const k = String(p);
            node[k] = node[k] || {};
            node = node[k];
        }
        node._errors = node._errors || [];
        node._errors.push({ code, message });
        this.any = true;
    }

    result() { return this.any ? this.root : null; }
}

const isInt = (v) => Number.isInteger(v);
const len = (s) => (typeof s === 'string' ? [...s].length : 0);

function checkString(errs, path, v, { min = 0, max, required = false } = {}) {
    if (v === undefined || v === null) {
        if (required) errs.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
        return;
    }
    if (typeof v !== 'string') {
        errs.add(path, 'BASE_TYPE_BAD_TYPE', `Could not interpret "${JSON.stringify(v)}" as string.`);
        return;
    }
    const n = len(v);
    if (n < min || (max !== undefined && n > max)) {
        if (min > 0 && max !== undefined) {
            errs.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
        } else if (max !== undefined && n > max) {
            errs.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
        } else {
            errs.add(path, 'BASE_TYPE_MIN_LENGTH', `Must be ${min} or more in length.`);
        }
    }
}

// ---- embeds -----------------------------------------------------------------
function embedSize(e) {
    let n = len(e.title) + len(e.description);
    if (e.footer) n += len(e.footer.text);
    if (e.author) n += len(e.author.name);
    for (const f of Array.isArray(e.fields) ? e.fields : []) n += len(f && f.name) + len(f && f.value);
    return n;
}

function validateEmbeds(errs, embeds) {
    if (embeds === undefined || embeds === null) return;
    if (!Array.isArray(embeds)) {
        errs.add(['embeds'], 'BASE_TYPE_BAD_TYPE', 'Must be an array.');
        return;
    }
    if (embeds.length > 10) errs.add(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    let total = 0;
    embeds.forEach((e, i) => {
        const p = ['embeds', i];
        if (!e || typeof e !== 'object' || Array.isArray(e)) {
            errs.add(p, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
            return;
        }
        checkString(errs, [...p, 'title'], e.title, { max: 256 });
        checkString(errs, [...p, 'description'], e.description, { max: 4096 });
        checkString(errs, [...p, 'url'], e.url, { max: 2048 });
        if (e.color !== undefined && e.color !== null && !(isInt(e.color) && e.color >= 0 && e.color <= 0xffffff)) {
            errs.add([...p, 'color'], 'NUMBER_TYPE_MAX', 'int value should be <= 16777215 and >= 0.');
        }
        if (e.timestamp !== undefined && e.timestamp !== null && Number.isNaN(Date.parse(e.timestamp))) {
            errs.add([...p, 'timestamp'], 'DATE_TIME_TYPE_PARSE', 'Could not parse timestamp.');
        }
        if (e.footer) checkString(errs, [...p, 'footer', 'text'], e.footer.text, { min: 1, max: 2048, required: true });
        if (e.author) checkString(errs, [...p, 'author', 'name'], e.author.name, { min: 1, max: 256, required: true });
        if (e.fields !== undefined && e.fields !== null) {
            if (!Array.isArray(e.fields)) {
                errs.add([...p, 'fields'], 'BASE_TYPE_BAD_TYPE', 'Must be an array.');
            } else {
                if (e.fields.length > 25) errs.add([...p, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
                e.fields.forEach((f, j) => {
                    checkString(errs, [...p, 'fields', j, 'name'], f && f.name, { min: 1, max: 256, required: true });
                    checkString(errs, [...p, 'fields', j, 'value'], f && f.value, { min: 1, max: 1024, required: true });
                });
            }
        }
        total += embedSize(e);
    });
    if (total > 6000) errs.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
}

// ---- components -------------------------------------------------------------
const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);

function validateButton(errs, p, b, ids) {
    if (!isInt(b.style) || b.style < 1 || b.style > 6) {
        errs.add([...p, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
        return;
    }
    checkString(errs, [...p, 'label'], b.label, { max: 80 });
    if (b.style === 5) {
        checkString(errs, [...p, 'url'], b.url, { min: 1, max: 512, required: true });
        if (b.custom_id !== undefined) errs.add([...p, 'custom_id'], 'COMPONENT_CUSTOM_ID_NOT_ALLOWED', 'A link button cannot have a custom id');
    } else if (b.style === 6) {
        if (!b.sku_id) errs.add([...p, 'sku_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
    } else {
        checkString(errs, [...p, 'custom_id'], b.custom_id, { min: 1, max: 100, required: true });
        if (b.url !== undefined) errs.add([...p, 'url'], 'BUTTON_URL_NOT_ALLOWED', 'A non-link button cannot have a url');
        if (typeof b.custom_id === 'string') ids.push([p, b.custom_id]);
    }
    if (b.style !== 6 && (b.label === undefined || b.label === null || b.label === '') && !b.emoji) {
        errs.add([...p], 'BUTTON_LABEL_OR_EMOJI_REQUIRED', 'A button must have a label or an emoji');
    }
}

function validateSelect(errs, p, s, ids) {
    checkString(errs, [...p, 'custom_id'], s.custom_id, { min: 1, max: 100, required: true });
    if (typeof s.custom_id === 'string') ids.push([p, s.custom_id]);
    checkString(errs, [...p, 'placeholder'], s.placeholder, { max: 150 });
    if (s.type === 3) {
        if (!Array.isArray(s.options) || s.options.length < 1 || s.options.length > 25) {
            errs.add([...p, 'options'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 25 in length.');
        } else {
            s.options.forEach((o, k) => {
                checkString(errs, [...p, 'options', k, 'label'], o && o.label, { min: 1, max: 100, required: true });
                checkString(errs, [...p, 'options', k, 'value'], o && o.value, { min: 1, max: 100, required: true });
                checkString(errs, [...p, 'options', k, 'description'], o && o.description, { max: 100 });
            });
        }
    }
    for (const k of ['min_values', 'max_values']) {
        const v = s[k];
        if (v !== undefined && !(isInt(v) && v >= (k === 'min_values' ? 0 : 1) && v <= 25)) {
            errs.add([...p, k], 'NUMBER_TYPE_MAX', `${k} must be between ${k === 'min_values' ? 0 : 1} and 25.`);
        }
    }
}

function countComponents(list) {
    let n = 0;
    for (const c of list || []) {
        if (!c || typeof c !== 'object') continue;
        n += 1;
        if (Array.isArray(c.components)) n += countComponents(c.components);
        if (c.accessory) n += 1;
        if (c.component) n += 1;
    }
    return n;
}

function collectCustomIds(list, ids, path) {
    (list || []).forEach((c, i) => {
        if (!c || typeof c !== 'object') return;
        const p = [...path, i];
        if (typeof c.custom_id === 'string') ids.push([p, c.custom_id]);
        if (Array.isArray(c.components)) collectCustomIds(c.components, ids, [...p, 'components']);
        if (c.accessory && typeof c.accessory.custom_id === 'string') ids.push([[...p, 'accessory'], c.accessory.custom_id]);
    });
}

function validateComponents(errs, components, flags) {
    if (components === undefined || components === null) return;
    if (!Array.isArray(components)) {
        errs.add(['components'], 'BASE_TYPE_BAD_TYPE', 'Must be an array.');
        return;
    }
    const ids = [];
    if (flags & FLAGS.IS_COMPONENTS_V2) {
        if (countComponents(components) > 40) {
            errs.add(['components'], 'COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED', 'Must be 40 or fewer in total.');
        }
        collectCustomIds(components, ids, ['components']);
    } else {
        if (components.length > 5) errs.add(['components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
        components.forEach((row, i) => {
            const p = ['components', i];
            if (!row || row.type !== 1) {
                errs.add([...p, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).');
                return;
            }
            if (!Array.isArray(row.components) || row.components.length < 1 || row.components.length > 5) {
                errs.add([...p, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
                return;
            }
            const hasSelect = row.components.some((c) => c && SELECT_TYPES.has(c.type));
            if (hasSelect && row.components.length !== 1) {
                errs.add([...p, 'components'], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
            }
            row.components.forEach((c, j) => {
                const cp = [...p, 'components', j];
                if (!c || typeof c !== 'object') {
                    errs.add(cp, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
                } else if (c.type === 2) {
                    validateButton(errs, cp, c, ids);
                } else if (SELECT_TYPES.has(c.type)) {
                    validateSelect(errs, cp, c, ids);
                } else {
                    errs.add([...cp, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).');
                }
            });
        });
    }
    const seen = new Set();
    for (const [p, id] of ids) {
        if (seen.has(id)) errs.add([...p, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
        seen.add(id);
    }
}

// A message body for create (`partial` false) or edit (`partial` true).
// Returns {errors} for 50035, {empty: true} for 50006, or null.
function validateMessage(body, { partial = false } = {}) {
    const errs = new Errs();
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
        errs.add([], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
        return { errors: errs.result() };
    }
    checkString(errs, ['content'], body.content, { max: 2000 });
    validateEmbeds(errs, body.embeds);
    if (body.flags !== undefined && body.flags !== null && !isInt(body.flags)) {
        errs.add(['flags'], 'NUMBER_TYPE_COERCE', `Value "${body.flags}" is not int.`);
    }
    validateComponents(errs, body.components, body.flags | 0);
    checkString(errs, ['nonce'], typeof body.nonce === 'number' ? String(body.nonce) : body.nonce, { max: 25 });
    if (errs.result()) return { errors: errs.result() };
    if (!partial) {
        const hasContent = typeof body.content === 'string' && body.content.length > 0;
        const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
        const hasComponents = Array.isArray(body.components) && body.components.length > 0;
        const hasOther = (Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0) || body.poll
            || (Array.isArray(body.attachments) && body.attachments.length > 0) || body._files > 0;
        if (!hasContent && !hasEmbeds && !hasComponents && !hasOther) return { empty: true };
    }
    return null;
}

// ---- application commands ---------------------------------------------------
const NAME_RE = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function validateName(errs, p, name, lowercase) {
    if (typeof name !== 'string' || !NAME_RE.test(name)) {
        errs.add(p, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    } else if (lowercase && name !== name.toLowerCase()) {
        errs.add(p, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    }
}

function validateChoiceValue(errs, p, type, v) {
    const ok = type === 3 ? (typeof v === 'string' && len(v) >= 1 && len(v) <= 100)
        : type === 4 ? (isInt(v) && Math.abs(v) <= 2 ** 53)
            : (typeof v === 'number' && Number.isFinite(v));
    if (!ok) errs.add(p, 'BASE_TYPE_BAD_TYPE', 'Choice value does not match the option type.');
}

function validateOptions(errs, path, options, depth) {
    if (options === undefined || options === null) return;
    if (!Array.isArray(options)) {
        errs.add(path, 'BASE_TYPE_BAD_TYPE', 'Must be an array.');
        return;
    }
    if (options.length > 25) errs.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    let sawOptional = false;
    const names = new Set();
    const kinds = new Set();
    options.forEach((o, i) => {
        const p = [...path, i];
        if (!o || typeof o !== 'object') {
            errs.add(p, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
            return;
        }
        if (!isInt(o.type) || o.type < 1 || o.type > 11) {
            errs.add([...p, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.');
            return;
        }
        validateName(errs, [...p, 'name'], o.name, true);
        if (names.has(o.name)) errs.add([...p, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', 'Option names must be unique');
        names.add(o.name);
        checkString(errs, [...p, 'description'], o.description, { min: 1, max: 100, required: true });
        const sub = o.type === 1 || o.type === 2;
        kinds.add(sub ? 'sub' : 'value');
        if (sub) {
            if (depth >= 2 || (depth === 1 && o.type === 2)) {
                errs.add([...p, 'type'], 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', 'Sub-command nesting is too deep');
            }
            if (o.type === 2 && Array.isArray(o.options) && o.options.some((x) => x && x.type !== 1)) {
                errs.add([...p, 'options'], 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', 'A sub-command group may only contain sub-commands');
            }
            validateOptions(errs, [...p, 'options'], o.options, depth + 1);
            return;
        }
        if (o.required) {
            if (sawOptional) errs.add([...p, 'required'], 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
        } else {
            sawOptional = true;
        }
        if (o.choices !== undefined && o.choices !== null) {
            if (![3, 4, 10].includes(o.type)) {
                errs.add([...p, 'choices'], 'APPLICATION_COMMAND_OPTION_CHOICES_NOT_ALLOWED', 'Choices are only allowed for string, integer and number options');
            } else if (!Array.isArray(o.choices) || o.choices.length > 25) {
                errs.add([...p, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
            } else {
                o.choices.forEach((c, k) => {
                    checkString(errs, [...p, 'choices', k, 'name'], c && c.name, { min: 1, max: 100, required: true });
                    validateChoiceValue(errs, [...p, 'choices', k, 'value'], o.type, c && c.value);
                });
            }
            if (o.autocomplete && Array.isArray(o.choices) && o.choices.length > 0) {
                errs.add([...p, 'autocomplete'], 'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_AND_CHOICES', 'Autocomplete and choices are mutually exclusive');
            }
        }
        if (o.autocomplete && ![3, 4, 10].includes(o.type)) {
            errs.add([...p, 'autocomplete'], 'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_NOT_ALLOWED', 'Autocomplete is only allowed for string, integer and number options');
        }
        for (const k of ['min_value', 'max_value']) {
            if (o[k] === undefined || o[k] === null) continue;
            if (![4, 10].includes(o.type) || typeof o[k] !== 'number') {
                errs.add([...p, k], 'BASE_TYPE_BAD_TYPE', `${k} is only allowed for integer and number options`);
            }
        }
        if (typeof o.min_value === 'number' && typeof o.max_value === 'number' && o.min_value > o.max_value) {
            errs.add([...p, 'min_value'], 'NUMBER_TYPE_MAX', 'min_value must be <= max_value');
        }
        for (const k of ['min_length', 'max_length']) {
            if (o[k] === undefined || o[k] === null) continue;
            const lo = k === 'min_length' ? 0 : 1;
            if (o.type !== 3 || !isInt(o[k]) || o[k] < lo || o[k] > 6000) {
                errs.add([...p, k], 'NUMBER_TYPE_MAX', `${k} must be between ${lo} and 6000 (string options only)`);
            }
        }
    });
    if (kinds.size > 1) errs.add(path, 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', 'Sub-command and sub-command group option types are mutually exclusive to all other types');
}

function validateCommand(errs, p, c) {
    if (!c || typeof c !== 'object' || Array.isArray(c)) {
        errs.add(p, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
        return;
    }
    const type = c.type === undefined || c.type === null ? 1 : c.type;
    if (![1, 2, 3, 4].includes(type)) {
        errs.add([...p, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4}.');
        return;
    }
    validateName(errs, [...p, 'name'], c.name, type === 1);
    if (type === 1) {
        checkString(errs, [...p, 'description'], c.description, { min: 1, max: 100, required: true });
        validateOptions(errs, [...p, 'options'], c.options, 0);
    } else {
        if (c.description !== undefined && c.description !== null && c.description !== '') {
            errs.add([...p, 'description'], 'APPLICATION_COMMAND_INVALID_DESCRIPTION', 'Context menu commands cannot have a description');
        }
        if (Array.isArray(c.options) && c.options.length) {
            errs.add([...p, 'options'], 'APPLICATION_COMMAND_OPTIONS_NOT_ALLOWED', 'Context menu commands cannot have options');
        }
    }
    const dmp = c.default_member_permissions;
    if (dmp !== undefined && dmp !== null && !(typeof dmp === 'string' && /^[0-9]+$/.test(dmp))) {
        errs.add([...p, 'default_member_permissions'], 'BASE_TYPE_BAD_TYPE', 'Must be a permission bitfield string.');
    }
}

// A bulk overwrite: an array of commands. Also checks duplicate names and
// the per-scope count limits. Returns {errors} or {tooMany} or null.
function validateCommandList(list) {
    const errs = new Errs();
    if (!Array.isArray(list)) {
        errs.add([], 'BASE_TYPE_BAD_TYPE', 'Must be an array.');
        return { errors: errs.result() };
    }
    const seen = new Set();
    const counts = { 1: 0, 2: 0, 3: 0, 4: 0 };
    list.forEach((c, i) => {
        validateCommand(errs, [i], c);
        if (c && typeof c === 'object') {
            const type = c.type || 1;
            const key = `${type}:${c.name}`;
            if (seen.has(key)) errs.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`);
            seen.add(key);
            counts[type] = (counts[type] || 0) + 1;
        }
    });
    if (errs.result()) return { errors: errs.result() };
    if (counts[1] > 100 || counts[2] > 15 || counts[3] > 15) return { tooMany: true };
    return null;
}

function validateSingleCommand(c) {
    const errs = new Errs();
    validateCommand(errs, [], c);
    return errs.result() ? { errors: errs.result() } : null;
}

// ---- interaction responses ----------------------------------------------------
function validateChoices(data) {
    const errs = new Errs();
    const choices = data && data.choices;
    if (!Array.isArray(choices)) {
        errs.add(['data', 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
    } else {
        if (choices.length > 25) errs.add(['data', 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
        choices.forEach((c, i) => {
            checkString(errs, ['data', 'choices', i, 'name'], c && c.name, { min: 1, max: 100, required: true });
            const v = c && c.value;
            if (!(typeof v === 'string' ? len(v) <= 100 : typeof v === 'number' && Number.isFinite(v))) {
                errs.add(['data', 'choices', i, 'value'], 'BASE_TYPE_BAD_TYPE', 'Must be a string of at most 100 characters or a number.');
            }
        });
    }
    return errs.result();
}

function validateModal(data) {
    const errs = new Errs();
    if (!data || typeof data !== 'object') {
        errs.add(['data'], 'BASE_TYPE_REQUIRED', 'This field is required');
        return errs.result();
    }
    checkString(errs, ['data', 'custom_id'], data.custom_id, { min: 1, max: 100, required: true });
    checkString(errs, ['data', 'title'], data.title, { min: 1, max: 45, required: true });
    const comps = data.components;
    if (!Array.isArray(comps) || comps.length < 1 || comps.length > 5) {
        errs.add(['data', 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    } else {
        comps.forEach((row, i) => {
            const p = ['data', 'components', i];
            // Legacy: an action row holding one text input. New: a label (18)
            // holding a text input or select, or a text display (10).
            let inner = null;
            if (row && row.type === 1 && Array.isArray(row.components) && row.components.length === 1) inner = row.components[0];
            else if (row && row.type === 18 && row.component) inner = row.component;
            else if (row && row.type === 10) return;
            if (!inner) {
                errs.add(p, 'UNION_TYPE_CHOICES', 'A modal row must be an action row with one text input, a label or a text display');
                return;
            }
            checkString(errs, [...p, 'custom_id'], inner.custom_id, { min: 1, max: 100, required: true });
            if (row.type === 18) {
                checkString(errs, [...p, 'label'], row.label, { min: 1, max: 45, required: true });
                checkString(errs, [...p, 'description'], row.description, { max: 100 });
                if (![3, 4].includes(inner.type)) errs.add([...p, 'component', 'type'], 'BASE_TYPE_CHOICES', 'A label holds a text input or a select.');
            }
            if (inner.type === 3) {
                const opts = inner.options;
                if (!Array.isArray(opts) || opts.length < 1 || opts.length > 25) {
                    errs.add([...p, 'component', 'options'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 25 in length.');
                } else {
                    opts.forEach((o, k) => {
                        checkString(errs, [...p, 'component', 'options', k, 'label'], o && o.label, { min: 1, max: 100, required: true });
                        checkString(errs, [...p, 'component', 'options', k, 'value'], o && o.value, { min: 1, max: 100, required: true });
                    });
                }
            }
            if (inner.type === 4) {
                if (![1, 2].includes(inner.style)) errs.add([...p, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2}.');
                if (row.type === 1) checkString(errs, [...p, 'label'], inner.label, { min: 1, max: 45, required: true });
                checkString(errs, [...p, 'value'], inner.value, { max: 4000 });
            }
        });
    }
    return errs.result();
}

module.exports = {
    FLAGS, Errs, validateMessage, validateCommandList, validateSingleCommand, validateChoices, validateModal,
    embedSize,
};
