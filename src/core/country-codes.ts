/**
 * ISO 3166-1 codes (alpha-2, alpha-3, numeric = UN M49 for countries), shared by every reader:
 * declarations reject unassigned alpha-2 codes, and a Comtrade row's `PRK`
 * or `408` and a reported figure's `KP` name the same partner. The table is the ISO 3166-1
 * assignment (public facts), packed as `AA` + `AAA` + `NNN` per country; compiled from the
 * datasets/country-codes table (ODC-PDDL).
 */
const PACKED =
  'ADAND020 AEARE784 AFAFG004 AGATG028 AIAIA660 ALALB008 AMARM051 AOAGO024 AQATA010 ARARG032 ASASM016 ' +
  'ATAUT040 AUAUS036 AWABW533 AXALA248 AZAZE031 BABIH070 BBBRB052 BDBGD050 BEBEL056 BFBFA854 BGBGR100 ' +
  'BHBHR048 BIBDI108 BJBEN204 BLBLM652 BMBMU060 BNBRN096 BOBOL068 BQBES535 BRBRA076 BSBHS044 BTBTN064 ' +
  'BVBVT074 BWBWA072 BYBLR112 BZBLZ084 CACAN124 CCCCK166 CDCOD180 CFCAF140 CGCOG178 CHCHE756 CICIV384 ' +
  'CKCOK184 CLCHL152 CMCMR120 CNCHN156 COCOL170 CRCRI188 CUCUB192 CVCPV132 CWCUW531 CXCXR162 CYCYP196 ' +
  'CZCZE203 DEDEU276 DJDJI262 DKDNK208 DMDMA212 DODOM214 DZDZA012 ECECU218 EEEST233 EGEGY818 EHESH732 ' +
  'ERERI232 ESESP724 ETETH231 FIFIN246 FJFJI242 FKFLK238 FMFSM583 FOFRO234 FRFRA250 GAGAB266 GBGBR826 ' +
  'GDGRD308 GEGEO268 GFGUF254 GGGGY831 GHGHA288 GIGIB292 GLGRL304 GMGMB270 GNGIN324 GPGLP312 GQGNQ226 ' +
  'GRGRC300 GSSGS239 GTGTM320 GUGUM316 GWGNB624 GYGUY328 HKHKG344 HMHMD334 HNHND340 HRHRV191 HTHTI332 ' +
  'HUHUN348 IDIDN360 IEIRL372 ILISR376 IMIMN833 ININD356 IOIOT086 IQIRQ368 IRIRN364 ISISL352 ITITA380 ' +
  'JEJEY832 JMJAM388 JOJOR400 JPJPN392 KEKEN404 KGKGZ417 KHKHM116 KIKIR296 KMCOM174 KNKNA659 KPPRK408 ' +
  'KRKOR410 KWKWT414 KYCYM136 KZKAZ398 LALAO418 LBLBN422 LCLCA662 LILIE438 LKLKA144 LRLBR430 LSLSO426 ' +
  'LTLTU440 LULUX442 LVLVA428 LYLBY434 MAMAR504 MCMCO492 MDMDA498 MEMNE499 MFMAF663 MGMDG450 MHMHL584 ' +
  'MKMKD807 MLMLI466 MMMMR104 MNMNG496 MOMAC446 MPMNP580 MQMTQ474 MRMRT478 MSMSR500 MTMLT470 MUMUS480 ' +
  'MVMDV462 MWMWI454 MXMEX484 MYMYS458 MZMOZ508 NANAM516 NCNCL540 NENER562 NFNFK574 NGNGA566 NINIC558 ' +
  'NLNLD528 NONOR578 NPNPL524 NRNRU520 NUNIU570 NZNZL554 OMOMN512 PAPAN591 PEPER604 PFPYF258 PGPNG598 ' +
  'PHPHL608 PKPAK586 PLPOL616 PMSPM666 PNPCN612 PRPRI630 PSPSE275 PTPRT620 PWPLW585 PYPRY600 QAQAT634 ' +
  'REREU638 ROROU642 RSSRB688 RURUS643 RWRWA646 SASAU682 SBSLB090 SCSYC690 SDSDN729 SESWE752 SGSGP702 ' +
  'SHSHN654 SISVN705 SJSJM744 SKSVK703 SLSLE694 SMSMR674 SNSEN686 SOSOM706 SRSUR740 SSSSD728 STSTP678 ' +
  'SVSLV222 SXSXM534 SYSYR760 SZSWZ748 TCTCA796 TDTCD148 TFATF260 TGTGO768 THTHA764 TJTJK762 TKTKL772 ' +
  'TLTLS626 TMTKM795 TNTUN788 TOTON776 TRTUR792 TTTTO780 TVTUV798 TWTWN158 TZTZA834 UAUKR804 UGUGA800 ' +
  'UMUMI581 USUSA840 UYURY858 UZUZB860 VAVAT336 VCVCT670 VEVEN862 VGVGB092 VIVIR850 VNVNM704 VUVUT548 ' +
  'WFWLF876 WSWSM882 YEYEM887 YTMYT175 ZAZAF710 ZMZMB894 ZWZWE716';

/** The 249 officially assigned alpha-2 codes; reserved and user-assigned codes are not in it. */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(
  PACKED.split(' ')
    .filter((entry) => entry.length === 8)
    .map((entry) => entry.slice(0, 2)),
);

const byAlpha3 = new Map<string, string>();
const byNumeric = new Map<string, string>();
for (const entry of PACKED.split(' ')) {
  if (entry.length !== 8) continue;
  byAlpha3.set(entry.slice(2, 5), entry.slice(0, 2));
  byNumeric.set(String(Number(entry.slice(5, 8))), entry.slice(0, 2));
}

/**
 * Comtrade and news reports name partners by their own labels; these are the ones the DPRK
 * extracts use. Anything else keeps its ISO code.
 */
const NAMES: Record<string, string> = {
  "dem. people's rep. of korea": 'KP',
  'north korea': 'KP',
  dprk: 'KP',
  'rep. of korea': 'KR',
  'south korea': 'KR',
  china: 'CN',
  world: 'W0',
};

/** Special Comtrade areas that are not countries: World is `W00` / 0. */
const SPECIAL: Record<string, string> = { W00: 'W0', '0': 'W0' };

/**
 * The alpha-2 code of a country given as alpha-2, alpha-3, numeric code or a known name;
 * undefined when it is none of these.
 * @example toAlpha2('PRK') // 'KP'; toAlpha2('408') // 'KP'; toAlpha2('KP') // 'KP'
 */
export function toAlpha2(code: string | undefined): string | undefined {
  if (!code) return undefined;
  const t = code.trim();
  if (!t) return undefined;
  const special = SPECIAL[t.toUpperCase()];
  if (special) return special;
  if (/^\d{1,3}$/.test(t)) return byNumeric.get(String(Number(t)));
  const upper = t.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper)) return upper;
  if (/^[A-Z]{3}$/.test(upper)) return byAlpha3.get(upper);
  return NAMES[t.toLowerCase()] ?? englishNames().get(normaliseName(t));
}

function normaliseName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

let names: Map<string, string> | undefined;
/** English country names from the runtime's own CLDR data (Intl), built once on first use. */
function englishNames(): Map<string, string> {
  if (names) return names;
  names = new Map();
  const display = new Intl.DisplayNames(['en'], { type: 'region' });
  for (const code of byAlpha3.values()) {
    const name = display.of(code);
    if (name && name !== code) names.set(normaliseName(name), code);
  }
  return names;
}

/** The World aggregate of Comtrade (not a trading partner). */
export const WORLD = 'W0';
