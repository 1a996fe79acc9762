import os
HERE = os.path.dirname(os.path.abspath(__file__))
import json, re, sys, collections
cat = open(os.path.join(HERE, '..', 'realistic', 'intents.md'), encoding='utf-8').read()
ids = re.findall(r"^- `([a-z0-9.\-]+)`", cat, re.M)
ids = set(ids)
TAGS = {"typo","fragment","slang","no-question-mark","no-diacritics","simplified","code-mix","emoji","bot-feature","chitchat","near-domain","off-topic"}
EMO = re.compile('[\U0001F000-\U0001FAFF\u2600-\u27BF\u2764]')
errors = []; rows = {}
for lang in ['en','vi','zh-TW']:
    p = os.path.join(HERE, f'{lang}.jsonl')
    try: lines = open(p, encoding='utf-8').read().splitlines()
    except FileNotFoundError: print('missing', p); continue
    seen = set(); data = []
    for i, l in enumerate(lines, 1):
        try: d = json.loads(l)
        except Exception as e: errors.append(f'{lang}:{i} bad json {e}'); continue
        if set(d) != {'text','label','tags'}: errors.append(f'{lang}:{i} keys {set(d)}')
        t, lab, tags = d['text'], d['label'], d['tags']
        if lab != 'oos' and lab not in ids: errors.append(f'{lang}:{i} bad label {lab}')
        k = t.strip().lower()
        if k in seen: errors.append(f'{lang}:{i} duplicate {t}')
        seen.add(k)
        for g in tags:
            if g not in TAGS: errors.append(f'{lang}:{i} bad tag {g}')
        if len(set(tags)) != len(tags): errors.append(f'{lang}:{i} dup tag')
        if lab.startswith('help.') and 'bot-feature' not in tags: errors.append(f'{lang}:{i} help w/o bot-feature')
        if lab.startswith('chitchat.') and 'chitchat' not in tags: errors.append(f'{lang}:{i} chitchat w/o tag')
        if not lab.startswith('help.') and 'bot-feature' in tags: errors.append(f'{lang}:{i} bot-feature on non-help')
        if not lab.startswith('chitchat.') and 'chitchat' in tags: errors.append(f'{lang}:{i} chitchat tag on non-chitchat')
        nd = ('near-domain' in tags) + ('off-topic' in tags)
        if lab == 'oos' and nd != 1: errors.append(f'{lang}:{i} oos needs exactly one of near-domain/off-topic')
        if lab != 'oos' and nd: errors.append(f'{lang}:{i} scope tag on in-scope')
        if ('emoji' in tags) != bool(EMO.search(t)): errors.append(f'{lang}:{i} emoji tag mismatch: {t}')
        if 'no-question-mark' in tags and ('?' in t or '？' in t): errors.append(f'{lang}:{i} no-question-mark but has ?: {t}')
        if 'simplified' in tags and lang != 'zh-TW': errors.append(f'{lang}:{i} simplified outside zh-TW')
        if 'no-diacritics' in tags and lang != 'vi': errors.append(f'{lang}:{i} no-diacritics outside vi')
        data.append(d)
    missing = ids - {d['label'] for d in data}
    if missing: errors.append(f'{lang}: missing ids {sorted(missing)}')
    rows[lang] = data
print('catalog ids:', len(ids))
def cnt(data):
    c = collections.Counter()
    for d in data:
        lab = d['label']
        c['total'] += 1
        if lab == 'oos':
            c['oos'] += 1
            c['oos near-domain' if 'near-domain' in d['tags'] else 'oos off-topic'] += 1
        else:
            c['in scope'] += 1
            c[lab.split('.')[0]] += 1
        for g in d['tags']: c['tag:'+g] += 1
    c['distinct in-scope ids'] = len({d['label'] for d in data if d['label'] != 'oos'})
    return c
cs = {l: cnt(d) for l, d in rows.items()}
keys = ['total','in scope','distinct in-scope ids','qa','help','chitchat','oos','oos near-domain','oos off-topic'] + ['tag:'+t for t in ["typo","fragment","slang","no-question-mark","no-diacritics","simplified","code-mix","emoji","bot-feature","chitchat","near-domain","off-topic"]]
langs = list(cs)
print('| count | ' + ' | '.join(langs) + ' |')
print('|---|' + '---|'*len(langs))
for k in keys:
    print(f'| {k} | ' + ' | '.join(str(cs[l][k]) for l in langs) + ' |')
print('errors:', len(errors))
for e in errors: print(' ', e)
