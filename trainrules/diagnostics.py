"""Diagnostics as values: the catalog of codes, the Diagnostic record, the collector and PolicyError."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

import attrs

from trainrules.render import render_text
from trainrules.source import Span

__all__ = ["CATALOG", "Collector", "Diagnostic", "Entry", "PolicyError", "Severity"]


class Severity(enum.Enum):
    """How bad a diagnostic is; errors stop a policy from loading, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Entry:
    """One catalog entry: everything about a code that does not depend on the call site."""

    severity: Severity
    title_zh: str
    title_en: str
    message_zh: str
    message_en: str
    hint_zh: str = ""
    hint_en: str = ""


E, W = Severity.ERROR, Severity.WARNING

#: Every diagnostic code, declared once. Messages and hints are ``str.format`` templates
#: whose fields the call site supplies.
CATALOG: Mapping[str, Entry] = {
    # E1xx: reading and syntax
    "E101": Entry(
        E,
        "无法读取策略文件",
        "cannot read the policy file",
        "无法读取“{file}”：{reason}",
        "cannot read '{file}': {reason_en}",
        "请给出一个 UTF-8 编码的 .policy 文本文件。",
        "Give a UTF-8 encoded .policy text file.",
    ),
    "E102": Entry(
        E,
        "策略文件过大",
        "policy file too large",
        "文件有 {size} 字节，超过上限 {limit} 字节",
        "the file has {size} bytes, over the limit of {limit}",
        "一份培训方案的策略通常只有几千字节；请检查是否选错了文件。",
        "A plan's policy is a few kilobytes; check that this is the right file.",
    ),
    "E103": Entry(
        E,
        "文件不是文本",
        "not a text file",
        "文件含有不可见的控制字符 U+{codepoint:04X}",
        "the file contains the control character U+{codepoint:04X}",
        "策略文件只能包含文字、换行和制表符。",
        "A policy file holds only text, newlines and tabs.",
    ),
    "E104": Entry(
        E,
        "定义嵌套过深",
        "definitions nested too deep",
        "经由“{name}”的引用链共嵌套 {depth} 层，超过上限 {limit} 层：{chain}",
        "the chain of references through '{name}' is {depth} levels deep, over the limit of {limit}: {chain_en}",
        "缩短这条链：把只是逐层转手的定义合并成一条，或直接引用输入字段（各项上限见 docs/limits.md）。",
        "Shorten the chain: merge definitions that only pass a value on into one, or refer to the inputs "
        "directly (limits: docs/limits.md).",
    ),
    "E110": Entry(
        E,
        "语法错误：无法识别的字符",
        "syntax error: unexpected character",
        "这里不能出现“{char}”",
        "'{char}' cannot appear here",
        "{expected}",
        "{expected_en}",
    ),
    "E111": Entry(
        E,
        "语法错误：意外的词",
        "syntax error: unexpected word",
        "这里不能出现{found}",
        "{found_en} cannot appear here",
        "{expected}",
        "{expected_en}",
    ),
    "E112": Entry(
        E,
        "语法错误：文件提前结束",
        "syntax error: unexpected end of file",
        "文件在{context}处结束",
        "the file ends {context_en}",
        "{expected}",
        "{expected_en}",
    ),
    "E113": Entry(
        E,
        "嵌套过深",
        "nesting too deep",
        "括号或运算嵌套超过 {limit} 层",
        "brackets or operators are nested more than {limit} deep",
        "把长表达式拆成几条“定义”。",
        "Split the expression into several definitions.",
    ),
    "E114": Entry(
        E,
        "策略过大",
        "policy too large",
        "策略有超过 {limit} {unit}",
        "the policy has more than {limit} {unit_en}",
        "一份方案的策略不需要这么大；请检查文件。",
        "No plan needs a policy this large; check the file.",
    ),
    "E115": Entry(
        E,
        "空策略",
        "empty policy",
        "文件中没有任何声明",
        "the file declares nothing",
        "策略至少要有一个“方案 {{ … }}”块。",
        "A policy needs at least a 方案 {{ … }} block.",
    ),
    "E120": Entry(
        E,
        "语法错误：关键词和名称连在了一起",
        "syntax error: a keyword runs into a name",
        "“{word}”被读成了一个名称：“{left}”和“{right}”之间少了空格",
        "'{word}' is read as one name: a space is missing between '{left}' and '{right}'",
        "是不是想写“{fixed}”？在“{left}”和“{right}”之间加一个空格。",
        "Did you mean '{fixed}'? Put a space between {left} and {right}.",
    ),
    "E121": Entry(
        E,
        "语法错误：全角或形似的字符",
        "syntax error: a full-width or look-alike character",
        "这里的“{char}”不是半角的“{ascii}”",
        "'{char}' ({name}) is not the ASCII '{ascii}'",
        "改成“{fixed}”：用半角（英文输入法）的“{ascii}”。",
        "Write '{fixed}': type '{ascii}' with an English (half-width) keyboard layout.",
    ),
    "E122": Entry(
        E,
        "语法错误：引号没有闭合",
        "syntax error: unclosed quote",
        "第 {line} 行第 {column} 列的引号 {quote} 到行尾还没有闭合",
        "the quote {quote} opened at line {line}, column {column} is not closed by the end of the line",
        "在文字末尾补上 {closer}；带引号的文字不能跨行。",
        "Add the closing {closer} after the text; quoted text cannot run over a line end.",
    ),
    "E123": Entry(
        E,
        "语法错误：引号不配对",
        "syntax error: quotes that do not pair",
        "第 {line} 行第 {column} 列的左引号 {open} 配的是 {close}",
        "the opening {open} at line {line}, column {column} is closed by {close}",
        '引号要成对（"…" 或 “…”）：把这里的 {close} 改成 {fix}。',
        'Quotes come in pairs ("…" or “…”): change this {close} to {fix}.',
    ),
    "E124": Entry(
        E,
        "语法错误：花括号没有闭合",
        "syntax error: unclosed brace",
        "“{header} {{”（第 {line} 行）没有闭合，下一条声明就开始了",
        "'{header} {{' (line {line}) is not closed before the next declaration begins",
        "在这条声明之前补上“}}”。",
        "Add the missing }} before this declaration.",
    ),
    "E125": Entry(
        E,
        "语法错误：字段名是关键词",
        "syntax error: a field named after a keyword",
        "“{word}”是关键词，在这里不能用作字段名",
        "'{word}' is a keyword, and cannot name a field here",
        "字段换个名字（如“{fixed}”），规则和记录里的键也一并改过来；字段名不能加引号。",
        "Rename the field (say '{fixed}'), and the rules and the records' key with it; a field name cannot be quoted.",
    ),
    "E126": Entry(
        E,
        "语法错误：关键词写成了别的词",
        "syntax error: a keyword spelt another way",
        "“{word}”不是关键词，这里应写“{keyword}”",
        "'{word}' is not a keyword: write '{keyword}'",
        "把“{word}”改成“{keyword}”：条件之间用 且、或 连接。",
        "Change '{word}' to '{keyword}': conditions are joined with 且 (and) and 或 (or).",
    ),
    "E127": Entry(
        E,
        "语法错误：行末多了句号",
        "syntax error: a full stop at the end of a line",
        "行末的“{char}”多余：规则不以句号结尾",
        "the '{char}' at the end of the line is not part of the rule",
        "删掉行末的“{char}”。要写说明，用 # 注释。",
        "Delete the '{char}' at the end of the line; write remarks as # comments.",
    ),
    "E129": Entry(
        E,
        "数不能写成科学计数法",
        "a number in exponent form",
        "“{text}”是科学计数法，策略里的数只写普通小数",
        "'{text}' is in exponent form; a policy's numbers are plain decimals",
        "写成普通小数，如 {plain}。",
        "Write it as a plain decimal, such as {plain}.",
    ),
    # E2xx: literals
    "E201": Entry(
        E,
        "日期不存在",
        "invalid calendar date",
        "日期 {text} 不存在：{reason}",
        "the date {text} does not exist: {reason_en}",
        "请核对原文；若原文有误，写上正确日期并用“假设”说明。",
        "Check the source; if it is wrong, write the real date and explain it in an assumption.",
    ),
    "E202": Entry(
        E,
        "时刻无效",
        "invalid time of day",
        "时刻 {text} 无效：{reason}",
        "the time {text} is invalid: {reason_en}",
        "时刻写作 时:分，时为 0–23（或 24:00 表示当日结束），分为 0–59。",
        "Write times as HH:MM with hours 0-23 (or 24:00 for the end of the day) and minutes 0-59.",
    ),
    "E203": Entry(
        E,
        "数值超出范围",
        "number out of range",
        "数值 {text} 超出可用范围",
        "the number {text} is out of range",
        "数值最多 15 位整数、10 位小数。",
        "Numbers have at most 15 integer and 10 fractional digits.",
    ),
    "E204": Entry(
        E,
        "未知时区",
        "unknown time zone",
        "时区“{text}”不存在",
        "there is no time zone '{text}'",
        '中国大陆写作 "Asia/Shanghai"（规则 G1）。',
        'Mainland China is "Asia/Shanghai" (ruling G1).',
    ),
    "E205": Entry(
        E,
        "截止时刻不明确",
        "deadline without a time",
        "截止 {text} 没有写明时刻",
        "the deadline {text} does not say at what time",
        "写“{text} 24:00 前”表示当日结束前（规则 G2），或写出具体时刻，如“{text} 12:00 前”（规则 G3）。",
        "Write '{text} 24:00 前' for the end of that day (ruling G2) or a clock time such as '{text} 12:00 前' (G3).",
    ),
    "E206": Entry(
        E,
        "区间颠倒",
        "reversed range",
        "区间的起点 {low} 晚于或大于终点 {high}",
        "the range starts at {low}, after its end {high}",
        "起点写在前，终点写在后。",
        "Write the start first and the end second.",
    ),
    # E207-E215: time (calendar functions and windows)
    "E207": Entry(
        E,
        "日历函数的参数不成立",
        "a calendar function cannot work with its argument",
        "{call}：{reason}",
        "{call}: {reason_en}",
        "核对写出的年、月、星期（1 = 周一 … 7 = 周日）和序数（1 至 5，或 -1 表示最后一个）。",
        "Check the year, month, weekday (1 = Monday … 7 = Sunday) and ordinal (1 to 5, or -1 for the last).",
    ),
    "E208": Entry(
        E,
        "缺少月末对齐的假设",
        "the month-end assumption is missing",
        "“{func}”加整年或整月时，目标月没有的日子（如平年的 2 月 29 日）只能取该月最后一天，策略须声明这一假设",
        "'{func}' adds whole years or months: a day the target month lacks (02-29 in a common year) "
        "becomes that month's last day, and the policy must declare this assumption",
        '声明 假设 {name} "加年、加月时，目标月没有的日子取该月最后一天（如 2020-02-29 加 1 年为 2021-02-28）" '
        "依据 用到它的规则编号",
        'Declare 假设 {name} "…a day the target month lacks becomes its last day (2020-02-29 + 1 year = 2021-02-28)" '
        "依据 the rule ids that use it",
    ),
    "E209": Entry(
        E,
        "时段起止颠倒",
        "window starts after it ends",
        "时段的起点 {start} 晚于终点 {end}",
        "the window starts on {start}, after its end {end}",
        "起点写在前，终点写在后：[{end} 至 {start}]。",
        "Write the start first: [{end} 至 {start}].",
    ),
    # E3xx: names, types, structure
    "E301": Entry(
        E,
        "未定义的名称",
        "undefined name",
        "名称“{name}”没有定义",
        "the name '{name}' is not defined",
        "{suggestion}",
        "{suggestion_en}",
    ),
    "E302": Entry(
        E,
        "名称重复",
        "duplicate name",
        "“{name}”已在{where}定义",
        "'{name}' is already defined {where_en}",
        "每个名称只能定义一次；改用另一个名称。",
        "Each name is defined once; choose another name.",
    ),
    "E350": Entry(
        E,
        "逐 的变量与已有名称重名",
        "the variable of 逐 shadows a name",
        "“逐 {name}”的变量名已是{where}",
        "the variable of '逐 {name}' is already {where_en}",
        "换一个不与其他名称重名的变量名（如 逐 {name}值 取自 …），规则中读它的地方一起改。",
        "Choose a name no other declaration uses (e.g. 逐 {name}值 取自 …) and rename its uses in the rule.",
    ),
    "E351": Entry(
        E,
        "逐 没有任何值",
        "逐 over no values",
        "“逐 {name} 取自 {text}”没有任何值，这条规则什么也不核对",
        "'逐 {name} 取自 {text}' has no values: the rule would check nothing",
        "范围写成从小到大，如 序列(3, 7)；列表至少写一个值。",
        "Write the range from low to high, e.g. 序列(3, 7); give a list at least one value.",
    ),
    "E352": Entry(
        E,
        "逐 的值过多",
        "逐 over too many values",
        "“{text}”有 {count} 个值，多于上限 {limit}",
        "'{text}' has {count} values, more than the limit {limit}",
        "缩小范围：每个值都单独核对和报告（上限见 docs/limits.md 的 MAX_EACH_VALUES）。",
        "Narrow the range: every value is checked and reported on its own (see MAX_EACH_VALUES in docs/limits.md).",
    ),
    "E353": Entry(
        E,
        "逐 的位置不对",
        "misplaced 逐",
        "要求“{name}”的“逐”须是块中第一句，且只能有一句",
        "the 逐 of the requirement '{name}' must be the block's first statement, and the only one",
        "把“逐 名 取自 式”移到要求块的第一句；要逐两个来源时，拆成两个要求。",
        "Move '逐 NAME 取自 EXPR' to the top of the block; to loop over two sources, write two requirements.",
    ),
    "E354": Entry(
        E,
        "逐 的来源无法使用",
        "unusable 逐 source",
        "“逐 {name} 取自 {text}”：{why}",
        "'逐 {name} 取自 {text}': {why_en}",
        "来源写成 序列(甲, 乙)（甲、乙 为整数）或 [值, …]；分组核查中只读整组相同的值，不用 计数、合计、人数。",
        "Write the source as 序列(A, B) with whole A and B, or [value, …]; in a grouped check read only values the"
        " whole group shares, never 计数, 合计 or 人数.",
    ),
    "E303": Entry(E, "类型不符", "type mismatch", "{what}", "{what_en}", "{hint}", "{hint_en}"),
    "E304": Entry(
        E,
        "未知函数或参数个数不对",
        "unknown function or wrong arguments",
        "{what}",
        "{what_en}",
        "可用的函数见 docs/language.md 的“函数”一节。",
        "The functions are listed in docs/language.md, 'Functions'.",
    ),
    "E305": Entry(E, "缺少必需的声明", "missing declaration", "{what}", "{what_en}", "{hint}", "{hint_en}"),
    "E306": Entry(
        E,
        "重复的设置",
        "setting given twice",
        "“{name}”在同一块中出现了两次",
        "'{name}' appears twice in the same block",
        "删去多余的一处。",
        "Remove one of them.",
    ),
    "E307": Entry(
        E,
        "引用了未声明的假设",
        "unknown assumption",
        "假设“{name}”没有声明",
        "the assumption '{name}' is not declared",
        "{suggestion}",
        "{suggestion_en}",
    ),
    "E308": Entry(
        E,
        "规则缺少出处",
        "rule without a citation",
        "{what}没有写“依据”",
        "{what_en} has no citation (依据)",
        '在规则后写“依据 规则编号 "原文章节"”，如 依据 R004-04 "五（一）"。',
        'Add 依据 RULE-ID "section" after the rule, e.g. 依据 R004-04 "五（一）".',
    ),
    "E309": Entry(
        E,
        "循环定义",
        "circular definition",
        "“{name}”的值依赖它自己：{cycle}",
        "'{name}' depends on itself: {cycle_en}",
        "打破这个循环：某一环改用输入或常数。",
        "Break the cycle: let one link use an input or a constant.",
    ),
    "E310": Entry(
        E,
        "这里不能用逐人数值",
        "per-teacher value outside an aggregation",
        "分组核查中的“{name}”是每位教师各自的值",
        "'{name}' in a group check is a per-teacher value",
        "把它放进 计数(…) 或 合计(…) 里，或按它分组。",
        "Put it inside 计数(…) or 合计(…), or group by it.",
    ),
    "E311": Entry(
        E,
        "列表只能汇总后使用",
        "a list is read only through an aggregate",
        "“{name}”是列表（或它的一列），不是单个值",
        "'{name}' is a list (or one of its columns), not a single value",
        "用 合计(…)、计数(…)、最大(…)、最小(…)、任一(…, 条件)、全部(…, 条件) 汇总，或用 筛选 … 取自 …。",
        "Aggregate it with 合计/计数/最大/最小/任一/全部, or filter it with 筛选 … 取自 ….",
    ),
    "E312": Entry(
        E,
        "筛选的来源不是列表",
        "a filter's source is not a list",
        "“{name}”不是列表或筛选，不能作为“取自”的来源",
        "'{name}' is not a list or a filter, so it cannot follow 取自",
        "{suggestion}",
        "{suggestion_en}",
    ),
    "E313": Entry(
        E,
        "列表的命名字段有误",
        "invalid naming field of a list",
        "{what}",
        "{what_en}",
        "“按”后写该列表中一个文本字段，如 列表 按 记录号 {{ 记录号: 文本 … }}。",
        "After 按 name a 文本 field of the list, e.g. 列表 按 记录号 {{ 记录号: 文本 … }}.",
    ),
    "E314": Entry(
        E,
        "逐条定义须针对列表",
        "a per-entry definition needs a list",
        "“定义 {name}.…”：“{name}”不是列表",
        "'定义 {name}.…': '{name}' is not a list",
        "{suggestion}",
        "{suggestion_en}",
    ),
    "E315": Entry(
        E,
        "取前几条的条数有误",
        "invalid count for 前 N",
        "“前 {count}”的条数须是不小于 0 的整数",
        "the count of '前 {count}' must be a whole number of at least 0",
        "写成 前 2 按 分 这样的整数。",
        "Write a whole number, as in 前 2 按 分.",
    ),
    "E324": Entry(
        E,
        "累计的列不存在",
        "unknown column in 累计",
        "累计“{name}”读取的“{column}”不是“{source}”的字段或逐条定义",
        "累计 '{name}' reads '{column}', which is not a field or per-entry definition of '{source}'",
        "写成 累计 名 = 列表.列，列是列表的数值字段或“定义 列表.列 = …”。{suggestion}",
        "Write 累计 NAME = LIST.COLUMN with a number field or a per-entry definition. {suggestion_en}",
    ),
    "E325": Entry(
        E,
        "累计的各层分组不嵌套",
        "cap levels do not nest",
        "累计“{name}”第 {level} 层按“{field}”分组，而第 {before} 层的分组键没有读取“{field}”：一组可能被拆开",
        "level {level} of 累计 '{name}' groups by '{field}', unread by level {before}'s keys: a group may split",
        "内层在前、外层在后：先写 每 日期，再写 每 年份(日期)；每 全体 写在最后。",
        "Innermost first: 每 日期 before 每 年份(日期); 每 全体 comes last.",
    ),
    "E326": Entry(
        E,
        "上限读取了本层分组键以外的条目字段",
        "a cap reads an entry field outside its level's keys",
        "累计“{name}”第 {level} 层的上限读取了“{field}”，它在一组内可能不同",
        "the cap of level {level} of 累计 '{name}' reads '{field}', which may differ within a group",
        "上限只能读取教师的名称和本层的分组键（原样写出，如 每 类别 至多 上限表[类别]）。",
        "A cap reads teacher names and its level's keys, written the same way (每 类别 至多 上限表[类别]).",
    ),
    "E327": Entry(
        E,
        "上限为负数",
        "negative cap",
        "累计“{name}”第 {level} 层的上限 {cap} 小于 0",
        "the cap of level {level} of 累计 '{name}' is {cap}, below 0",
        "上限写不小于 0 的数；不封顶就省去“至多 …”。",
        "Write a cap of at least 0, or leave out 至多 … for no cap.",
    ),
    "E328": Entry(
        E,
        "组（学校、县等）的列表只能在按该组的核查中读",
        "a group's list (a school's, a county's) is read outside a group check by that group",
        "{what}读{kind}的列表“{name}”，但{kind}的列表只能在“核查 … 按 {kind}”中读",
        "{what} reads the {kind_en} list '{name}', but a {kind_en}'s list can be read only in 核查 … 按 {kind}",
        "把这条规则写成按{kind}的核查：核查 名称 按 {kind} 要求 计数({name}, …) 不少于 …；或把列表移到“输入 教师”中。",
        "Write the rule as a group check by {kind}: 核查 NAME 按 {kind} 要求 计数({name}, …) 不少于 …;"
        " or move the list to 输入 教师.",
    ),
    "E320": Entry(
        E,
        "标签不在词表中",
        "label not in the vocabulary",
        "“{value}”不在“{name}”的词表中（{vocab}）",
        "'{value}' is not in the vocabulary of '{name}' ({vocab})",
        "{suggestion}",
        "{suggestion_en}",
    ),
    "E321": Entry(
        E,
        "对照表的键不在词表中",
        "lookup key not in the vocabulary",
        "对照表“{table}”的键“{key}”不在“{name}”的词表中（{vocab}）",
        "the key '{key}' of table '{table}' is not in the vocabulary of '{name}' ({vocab})",
        "{suggestion}",
        "{suggestion_en}",
    ),
    "E322": Entry(
        E,
        "对照表缺少词表中的键",
        "lookup table misses vocabulary words",
        "对照表“{table}”按“{name}”查表，但缺少键 {missing}",
        "table '{table}' is looked up by '{name}' but has no row for {missing}",
        "补上这些行；若缺少是有意的，写 取值({table}[{name}], 默认)。",
        "Add the rows; if leaving them out is intended, write 取值({table}[{name}], DEFAULT).",
    ),
    "E323": Entry(E, "词表写法有误", "invalid vocabulary", "{what}", "{what_en}", "{hint}", "{hint_en}"),
    "E329": Entry(
        E,
        "按全体不能与其他分组键同用",
        "按 全体 combined with other group keys",
        "核查“{name}”按 {keys} 分组，但“全体”已是所有教师一组，不能再按其他字段分",
        "the check '{name}' groups by {keys}, but 全体 is already one group of every teacher",
        "只写“按 全体”（全体教师一组），或去掉“全体”按字段分组。",
        "Write 按 全体 alone (one group of all teachers), or drop 全体 and group by fields.",
    ),
    "E330": Entry(
        E,
        "例外的对象不是定义或结果",
        "exception to something that is not a definition or result",
        "“例外 {name}”：“{name}”不是“定义”或“结果”",
        "'例外 {name}': '{name}' is not a 定义 or 结果",
        "例外只能覆盖 定义 或 结果；先写“定义 {name} = …”（一般规则），再写例外。{suggestion}",
        "Only a 定义 or 结果 has exceptions: write the general rule 定义 {name} = … first. {suggestion_en}",
    ),
    "E331": Entry(
        E,
        "要求的一行不是比较",
        "requirement line is not a minimum or maximum",
        "要求“{name}”的这一行（{text}）不是“甲 不少于 乙”或“甲 不超过 乙”",
        "this line of the requirement '{name}' ({text}) is not 'A 不少于 B' or 'A 不超过 B'",
        "要求的每一行写成 已计 不少于 需要（或 已计 不超过 上限），如 须 学时合计 不少于 120。",
        "Write each line as credited 不少于 needed (or credited 不超过 limit), e.g. 须 学时合计 不少于 120.",
    ),
    "E332": Entry(
        E,
        "要求缺少主行",
        "requirement without a main line",
        "要求“{name}”{what}",
        "the requirement '{name}' {what_en}",
        "先写总的一行“须 已计 不少于 需要”，再写“其中 类 须 …”。",
        "Write the overall line '须 credited 不少于 needed' first, then '其中 KIND 须 …'.",
    ),
    "E345": Entry(
        E,
        "输入的对象不是教师字段",
        "input block for something that is not a teacher field",
        "“输入 {kind}”：“{kind}”既不是“教师”，也不是教师字段，无法按它分组",
        "'输入 {kind}': '{kind}' is neither 教师 nor a teacher field, so no group is keyed by it",
        "写“输入 教师”，或按一个教师字段声明组的事实（内置的 学校、学科、学段，或在“输入 教师”中声明的字段，"
        "如 县: 文本 可缺）。{suggestion}",
        "Write 输入 教师, or declare a group's facts by a teacher field (the built-in 学校, 学科, 学段, or a field"
        " declared in 输入 教师, such as 县: 文本 可缺). {suggestion_en}",
    ),
    "E346": Entry(
        E,
        "组的键字段不是文本",
        "group key field is not text",
        "“输入 {kind}”：组按教师字段“{kind}”的值区分，但它是{type}，不是文本或标签",
        "'输入 {kind}': groups are named by the teacher field '{kind}', which is {type}, not text or a label",
        '把“{kind}”声明为 文本 或 标签（组记录的 key 是文本，如 "金寨县"）。',
        "Declare '{kind}' as 文本 or 标签 (a group record's key is a text, such as \"金寨县\").",
    ),
    # E4xx: points, bands, thresholds
    "E401": Entry(
        E,
        "档次重叠",
        "overlapping bands",
        "档次“{a}”与“{b}”重叠（{low} 至 {high}）",
        "bands '{a}' and '{b}' overlap ({low} to {high})",
        "同一分数只能落在一个档次中。",
        "A score falls in exactly one band.",
    ),
    "E402": Entry(
        E,
        "档次之间有未声明的空档",
        "undeclared gap between bands",
        "{low} 与 {high} 之间的分数不属于任何档次",
        "scores between {low} and {high} fall in no band",
        '调整上下限，或用“空档 {gap_low} 至 {gap_high} 记为 "…"”明确声明空档。',
        'Adjust the bounds, or declare the gap: 空档 {gap_low} 至 {gap_high} 记为 "…".',
    ),
    "E403": Entry(
        E,
        "档次超出满分",
        "band exceeds the maximum",
        "档次“{band}”的范围 {low} 至 {high} 超出“{item}”的范围 0 至 {max}",
        "band '{band}' ({low} to {high}) exceeds the range 0 to {max} of '{item}'",
        "档次的上限不能超过该项的满分。",
        "A band's upper bound is at most the item's maximum.",
    ),
    "E404": Entry(E, "分值不相加", "points do not add up", "{what}", "{what_en}", "{hint}", "{hint_en}"),
    "E405": Entry(
        E,
        "合格线无法达到",
        "pass threshold unreachable",
        "合格要求 {threshold}，但最高可得 {reachable}",
        "the pass mark is {threshold} but at most {reachable} can be reached",
        "核对合格线和各部分的满分。",
        "Check the pass mark and the parts' maxima.",
    ),
    "E406": Entry(
        E,
        "得分可能超过满分",
        "points can exceed the maximum",
        "{subject}最高可达 {high}，超过满分 {max}{derivation}{notes}",
        "{subject_en} can reach {high}, over the maximum {max}{derivation_en}{notes_en}",
        "用 最小(…, {max}) 封顶，或核对公式和输入的范围。",
        "Cap it with 最小(…, {max}), or check the formula and the inputs' ranges.",
    ),
    "E407": Entry(
        E,
        "得分可能为负",
        "points can be negative",
        "{subject}最低可至 {low}，低于 0{derivation}{notes}",
        "{subject_en} can go down to {low}, below 0{derivation_en}{notes_en}",
        "用 最大(…, 0) 兜底，或核对公式和输入的范围；扣分请在部分的得分公式里减。",
        "Floor it with 最大(…, 0), or check the formula and the inputs' ranges; deduct in a part's formula.",
    ),
    "E408": Entry(
        E,
        "档次范围为空",
        "empty band",
        "“{band}”的范围 {low} 至 低于 {high} 不含任何分数",
        "'{band}' ({low} to below {high}) holds no score",
        "“低于”的上限应大于下限。",
        "The bound after 低于 must be above the lower bound.",
    ),
    # E340-E344: units (单位)
    "E340": Entry(
        E,
        "单位声明有误",
        "bad unit declaration",
        "单位“{name}”{what}",
        "the unit '{name}' {what_en}",
        "{hint}",
        "{hint_en}",
    ),
    "E341": Entry(
        E,
        "未知的单位",
        "unknown unit",
        "“{name}”不是已声明的单位",
        "'{name}' is not a declared unit",
        "{suggestion}",
        "{suggestion_en}",
    ),
    "E342": Entry(
        E,
        "单位不符",
        "unit mismatch",
        "{what}",
        "{what_en}",
        "{hint}",
        "{hint_en}",
    ),
    "E343": Entry(
        E,
        "无单位的值与有单位的值混用",
        "a unitless value mixed with a unit",
        "“{name}”没有单位，不能与{unit}的值{how}",
        "'{name}' has no unit and cannot be {how_en} a value in {unit}",
        "{hint}",
        "{hint_en}",
    ),
    "E344": Entry(
        E,
        "单位只能用于数",
        "a unit on something that is not a number",
        "{what}",
        "{what_en}",
        "单位只能写在数值后面（240 学时），或写在“数”“整数”类型后面（数（学时））。",
        "A unit follows a number (240 学时) or a number type (数（学时））.",
    ),
    # W5xx: time
    "W501": Entry(
        W,
        "截止时刻在方案期间之外",
        "deadline outside the plan period",
        "{what} {when} 不在方案期间 {start} 至 {end} 内",
        "{what_en} {when} is outside the plan period {start} to {end}",
        "核对原文日期；若确属期间之外，可忽略此警告。",
        "Check the date in the source; if it really lies outside, this warning can stay.",
    ),
    # W6xx: unused
    "W502": Entry(
        W,
        "除法可能除不尽",
        "division may not come out even",
        "除以 {divisor} 可能除不尽：结果保留 28 位有效数字",
        "dividing by {divisor} may not come out even: the result keeps 28 significant digits",
        "用 四舍五入(…, 0.01) 等写明保留几位；若确能整除，可忽略此警告。",
        "Say how to round, e.g. 四舍五入(…, 0.01); if it always divides evenly, this warning can stay.",
    ),
    "W530": Entry(
        W,
        "有的月份没有第 5 个该星期",
        "not every month has a fifth such weekday",
        "{call} 取每月第 5 个星期几：多数月份没有，遇到这样的月份该记录将报错",
        "{call} asks for the fifth weekday of a month: most months have none, and such a month is a record error",
        "“最后一个”写 -1；若原文确指第 5 个，可保留此警告。",
        "Write -1 for 'the last'; if the source really means the fifth, the warning may stay.",
    ),
    "W503": Entry(
        W,
        "分组核查的除数可能为 0",
        "a group check may divide by 0",
        "核查“{check}”的聚合中，除数 {divisor} 可能为 0（{why}）：遇到这样的记录，这一组的核查将无法判定",
        "in the check '{check}', the divisor {divisor} of an aggregate can be 0 ({why_en}): a record "
        "where it is leaves that group's check undecided",
        "给输入声明不含 0 的范围（如 作业数: 数 1 至 100），或改写式子避开 0。",
        "Declare the input with a range that excludes 0 (e.g. 作业数: 数 1 至 100), or rewrite the expression "
        "to avoid 0.",
    ),
    "W513": Entry(
        W,
        "得分的范围无法确定",
        "points cannot be bounded",
        "{subject}的{side}无法确定：{why}",
        "the {side_en} of {subject_en} cannot be known: {why_en}",
        "{fix}。",
        "{fix_en}.",
    ),
    "W550": Entry(
        W,
        "同一筛选中的原因重复",
        "repeated reason in one filter",
        "筛选“{name}”中有两条“须”使用同一原因“{reason}”",
        "two 须 steps of the filter '{name}' give the same reason '{reason}'",
        "解释会把两者合在一起：给每条“须”写不同的原因。",
        "Explanations would merge them: give each 须 its own reason.",
    ),
    "W540": Entry(
        W,
        "读取可能不适用的值",
        "reading a value that may not apply",
        "“{name}”只在“{cond}”时才有值，这里直接读取它：对其他教师它缺失，比较一律不成立",
        "'{name}' has a value only when '{cond}' holds and is read here directly: for other teachers it is"
        " missing, and every comparison with it is false",
        "写成 取值({name}, 0)（或其他默认值），或用 有值({name}) 明确处理不适用的情形。",
        "Write 取值({name}, 0) (or another default), or handle the case with 有值({name}).",
    ),
    "W555": Entry(
        W,
        "逐 的变量未被读取",
        "the variable of 逐 is not read",
        "{rule}的“逐 {name}”没有被读取：每个值核对的是同一件事",
        "{rule_en}: '逐 {name}' is never read, so every value checks the same thing",
        "在规则中用上“{name}”（如 年份(日期) == {name}），或删去这句 逐。",
        "Use '{name}' in the rule (e.g. 年份(日期) == {name}), or remove the 逐.",
    ),
    "W556": Entry(
        W,
        "逐 的值重复",
        "repeated value in 逐",
        "“{text}”中的 {value} 出现了不止一次：它会被核对和报告两次",
        "{value} appears more than once in '{text}': it is checked and reported twice",
        "每个值只写一次。",
        "Write each value once.",
    ),
    "W559": Entry(
        W,
        "逐 的规则需要留意",
        "a 逐 rule to look at",
        "{what}",
        "{what_en}",
        "{hint}",
        "{hint_en}",
    ),
    "W601": Entry(
        W,
        "定义未被使用",
        "unused definition",
        "{kind}“{name}”没有被任何规则使用",
        "{kind_en} '{name}' is not used by any rule",
        "删除它，或在规则中使用它。",
        "Remove it, or use it in a rule.",
    ),
}
del E, W


@attrs.frozen
class Diagnostic:
    """One finding about a policy: a code from :data:`CATALOG`, where, and what to do."""

    code: str
    severity: Severity
    span: Span | None
    message: str
    hint: str
    message_en: str
    hint_en: str
    path: str = ""

    @property
    def title(self) -> str:
        """The catalog title of the code (Chinese)."""
        return CATALOG[self.code].title_zh


class _Blank(dict[str, object]):
    """Format arguments that leave an unknown field empty instead of raising."""

    def __missing__(self, key: str) -> str:
        return ""


def make(code: str, span: Span | None, path: object = "", **args: object) -> Diagnostic:
    """Build a diagnostic for ``code`` from the catalog templates and call-site ``args``."""
    entry = CATALOG[code]
    fields = _Blank(args)
    return Diagnostic(
        code=code,
        severity=entry.severity,
        span=span,
        message=entry.message_zh.format_map(fields),
        hint=entry.hint_zh.format_map(fields),
        message_en=entry.message_en.format_map(fields),
        hint_en=entry.hint_en.format_map(fields),
        path=str(path) if path else (span.source.name if span is not None else ""),
    )


@attrs.define
class Collector:
    """Gathers diagnostics from every stage; stages append and carry on."""

    items: list[Diagnostic] = attrs.field(factory=list)

    def add(self, code: str, span: Span | None, **args: object) -> None:
        """Append a diagnostic built from the catalog."""
        self.items.append(make(code, span, **args))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Append several diagnostics."""
        self.items.extend(diagnostics)

    @property
    def has_errors(self) -> bool:
        """Whether any error (not only warnings) was collected."""
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        """The diagnostics in source order (file-level ones first)."""
        return sorted(self.items, key=lambda d: (d.path, -1 if d.span is None else d.span.start, d.code))


class PolicyError(Exception):
    """A policy could not be loaded; ``diagnostics`` says why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__()

    def __str__(self) -> str:
        return render_text(self.diagnostics)
