"""Where subjects come from: names, e-mail domains, addresses and the reserved phone ranges."""

from __future__ import annotations

from commsledger.synthetic.common import table_items, table_pairs

# (display, ascii) for e-mail addresses and handles
_FIRST = table_pairs(
    "Alice=alice | Oliver=oliver | Amelia=amelia | George=george | Isla=isla | Harry=harry | "
    "Ava=ava | Noah=noah | Mia=mia | Jack=jack | Sophie=sophie | Mohammed=mohammed | "
    "Priya=priya | Arjun=arjun | Aisha=aisha | Chidi=chidi | Ngozi=ngozi | Fatima=fatima | "
    "Tom=tom | Emily=emily | James=james | Grace=grace | Dafydd=dafydd | Rhiannon=rhiannon | "
    "Aoife=aoife | Eilidh=eilidh | Callum=callum | Hannah=hannah | Samuel=samuel | Ruth=ruth | "
    "Margaret=margaret | Peter=peter | Leah=leah | Daniel=daniel | Kwame=kwame | Yusuf=yusuf | "
    "Ewa=ewa | Zoë=zoe | José=jose | Siobhán=siobhan | Łukasz=lukasz | Chloë=chloe | "
    "Renée=renee | Björn=bjorn | Małgorzata=malgorzata | Seán=sean | François=francois | "
    "Mehmet=mehmet"
)
_LAST = table_pairs(
    "Example=example | Smith=smith | Jones=jones | Taylor=taylor | Brown=brown | "
    "Williams=williams | Wilson=wilson | Evans=evans | Thomas=thomas | Roberts=roberts | "
    "Patel=patel | Khan=khan | Ahmed=ahmed | Begum=begum | Okafor=okafor | Mensah=mensah | "
    "Campbell=campbell | MacLeod=macleod | Murphy=murphy | Kelly=kelly | Hughes=hughes | "
    "Price=price | Singh=singh | Kaur=kaur | Clarke=clarke | Walker=walker | Wright=wright | "
    "Green=green | Hall=hall | Wood=wood | O'Connor=oconnor | Llewelyn=llewelyn | "
    "Dvořák=dvorak | Müller=muller | Núñez=nunez | García=garcia | Kowalczyk=kowalczyk | "
    "Wiśniewski=wisniewski | Jørgensen=jorgensen | Öztürk=ozturk | Nguyễn=nguyen | "
    "Ó Briain=obriain | Lefèvre=lefevre | Fernández=fernandez | Schäfer=schafer"
)
# Chinese names are written family name first: (display, given name, family name) in ascii.
_CJK = [
    (name, *ascii.split("/"))
    for name, ascii in table_pairs(
        "王芳=fang/wang | 李伟=wei/li | 张敏=min/zhang | 陈静=jing/chen | 刘洋=yang/liu"
    )
]
DOMAINS = table_items(
    "example.com | example.com | example.com | example.com | example.com | example.com | "
    "example.com | example.com | example.org | example.org | example.org | example.org | "
    "example.net | example.net | example.net | mail.example.com | mail.example.com | "
    "post.example.org | inbox.example.net"
)
_STREETS = table_items(
    "High Street | Station Road | Church Lane | Mill Lane | Victoria Road | Park Avenue | "
    "Queen Street | King's Road | The Crescent | Orchard Close | Manor Way | Meadow View | "
    "Elm Grove | Chapel Row | Albert Terrace | Riverside Walk | Beech Drive | North Parade"
)
_WELSH_STREETS = table_items("Heol y Frenhines | Ffordd yr Orsaf | Stryd Fawr | Heol Eglwys | Maes-y-Coed")
# (town, postcode area, Welsh?)
TOWNS = [
    (town, area, town in ("Cardiff", "Swansea", "Aberystwyth"))
    for town, area in table_pairs(
        "London=E | London=N | London=SW | Leeds=LS | Sheffield=S | Nottingham=NG | Leicester=LE | "
        "Bristol=BS | Reading=RG | Birmingham=B | Edinburgh=EH | Glasgow=G | Liverpool=L | "
        "Manchester=M | Newcastle upon Tyne=NE | Belfast=BT | York=YO | Norwich=NR | Exeter=EX | "
        "Cardiff=CF | Swansea=SA | Aberystwyth=SY"
    )
]
_POST_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# " street, town AREA" (the house number goes before, the postcode district after)
STREET_TOWNS = [
    (f" {street}, {town} {area}", wales)
    for town, area, wales in TOWNS
    for street in (_WELSH_STREETS + _STREETS[:5] if wales else _STREETS)
]
INWARD_CODES = [f" {d}{a}{b}" for d in range(10) for a in _POST_LETTERS for b in _POST_LETTERS]
FLATS = [f"Flat {i % 12 + 1}, " if i < 12 else "" for i in range(72)]  # one in six is a flat
# (display name, first name, ascii first, ascii family); one in 25 is written in Chinese.
NAMES = [(f"{f} {la}", f, fa, lo) for f, fa in _FIRST for la, lo in _LAST]
NAMES += [(n, n, given, family) for n, given, family in _CJK] * (len(NAMES) // 24 // len(_CJK))

# Ofcom drama ranges as national-number groups (the last group gets three more digits): one
# mobile range, then 16 geographic ranges of 1,000 numbers each.
MOBILE_RANGE = ("7700", "900")
LANDLINE_RANGES = [
    tuple(r.split())
    for r in table_items(
        "20 7946 0 | 113 496 0 | 114 496 0 | 115 496 0 | 116 496 0 | 117 496 0 | 118 496 0 | "
        "121 496 0 | 131 496 0 | 141 496 0 | 151 496 0 | 161 496 0 | 191 498 0 | 28 9649 6 | "
        "29 2018 0 | 1632 960"
    )
]
PHONE_POOL = 1000 + 1000 * len(LANDLINE_RANGES)
