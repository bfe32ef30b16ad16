// Word lists for the synthetic catalogue, written for this project (no third-party data).
// One line per concept: 15 renderings separated by `;` in `SynthLanguage` order; a non-Latin word
// carries its romanization after a `/` (the romanization a catalogue would register).

/// Languages of synthetic titles, in the column order of the vocabulary tables.
enum SynthLanguage: Int, CaseIterable, Sendable {
    case en, fr, es, de, it, pt, ru, zh, ja, ko, el, ar, he, hi, th

    /// Two-letter code as CWR writes it.
    var code: String {
        ["EN", "FR", "ES", "DE", "IT", "PT", "RU", "ZH", "JA", "KO", "EL", "AR", "HE", "HI", "TH"][rawValue]
    }
    var isLatin: Bool { rawValue <= SynthLanguage.pt.rawValue }
    /// Scripts written without spaces between words.
    var joinsWords: Bool { self == .zh || self == .ja || self == .th }
    /// Default weight of the language among catalogue works (non-Latin total is rescaled by `--non-latin`).
    var weight: Double {
        [40, 8, 10, 5, 6, 8.5, 4, 3.5, 4, 4, 1.5, 2, 1, 1.5, 1][rawValue]
    }
}

enum SynthVocabulary {
    static let nouns: [String] = [
        "love;amour;amor;Liebe;amore;amor;любовь/lyubov;爱/ai;愛/ai;사랑/sarang;αγάπη/agapi;حب/hubb;אהבה/ahava;प्यार/pyaar;ความรัก/khwam rak",
        "heart;cœur;corazón;Herz;cuore;coração;сердце/serdtse;心/xin;心/kokoro;마음/maeum;καρδιά/kardia;قلب/qalb;לב/lev;दिल/dil;หัวใจ/hua chai",
        "night;nuit;noche;Nacht;notte;noite;ночь/noch;夜/ye;夜/yoru;밤/bam;νύχτα/nychta;ليل/layl;לילה/layla;रात/raat;กลางคืน/klang khuen",
        "day;jour;día;Tag;giorno;dia;день/den;天/tian;日/hi;날/nal;μέρα/mera;يوم/yawm;יום/yom;दिन/din;วัน/wan",
        "sun;soleil;sol;Sonne;sole;sol;солнце/solntse;太阳/taiyang;太陽/taiyou;태양/taeyang;ήλιος/ilios;شمس/shams;שמש/shemesh;सूरज/suraj;ดวงอาทิตย์/duang athit",
        "moon;lune;luna;Mond;luna;lua;луна/luna;月亮/yueliang;月/tsuki;달/dal;φεγγάρι/fengari;قمر/qamar;ירח/yareach;चाँद/chaand;ดวงจันทร์/duang chan",
        "star;étoile;estrella;Stern;stella;estrela;звезда/zvezda;星星/xingxing;星/hoshi;별/byeol;αστέρι/asteri;نجمة/najma;כוכב/kochav;तारा/tara;ดาว/dao",
        "rain;pluie;lluvia;Regen;pioggia;chuva;дождь/dozhd;雨/yu;雨/ame;비/bi;βροχή/vrochi;مطر/matar;גשם/geshem;बारिश/baarish;ฝน/fon",
        "fire;feu;fuego;Feuer;fuoco;fogo;огонь/ogon;火/huo;火/hi;불/bul;φωτιά/fotia;نار/nar;אש/esh;आग/aag;ไฟ/fai",
        "sea;mer;mar;Meer;mare;mar;море/more;海/hai;海/umi;바다/bada;θάλασσα/thalassa;بحر/bahr;ים/yam;समुद्र/samudra;ทะเล/thale",
        "sky;ciel;cielo;Himmel;cielo;céu;небо/nebo;天空/tiankong;空/sora;하늘/haneul;ουρανός/ouranos;سماء/samaa;שמיים/shamayim;आसमान/aasmaan;ท้องฟ้า/thong fa",
        "dream;rêve;sueño;Traum;sogno;sonho;мечта/mechta;梦/meng;夢/yume;꿈/kkum;όνειρο/oneiro;حلم/hulm;חלום/chalom;सपना/sapna;ความฝัน/khwam fan",
        "time;temps;tiempo;Zeit;tempo;tempo;время/vremya;时间/shijian;時間/jikan;시간/sigan;χρόνος/chronos;وقت/waqt;זמן/zman;समय/samay;เวลา/wela",
        "life;vie;vida;Leben;vita;vida;жизнь/zhizn;生命/shengming;人生/jinsei;인생/insaeng;ζωή/zoi;حياة/hayat;חיים/chayim;ज़िंदगी/zindagi;ชีวิต/chiwit",
        "world;monde;mundo;Welt;mondo;mundo;мир/mir;世界/shijie;世界/sekai;세상/sesang;κόσμος/kosmos;عالم/alam;עולם/olam;दुनिया/duniya;โลก/lok",
        "road;route;camino;Weg;strada;estrada;дорога/doroga;路/lu;道/michi;길/gil;δρόμος/dromos;طريق/tariq;דרך/derech;राह/raah;ถนน/thanon",
        "home;maison;casa;Haus;casa;casa;дом/dom;家/jia;家/ie;집/jip;σπίτι/spiti;بيت/bayt;בית/bayit;घर/ghar;บ้าน/baan",
        "song;chanson;canción;Lied;canzone;canção;песня/pesnya;歌/ge;歌/uta;노래/norae;τραγούδι/tragoudi;أغنية/ughniya;שיר/shir;गीत/geet;เพลง/phleng",
        "dance;danse;baile;Tanz;ballo;dança;танец/tanets;舞/wu;踊り/odori;춤/chum;χορός/choros;رقص/raqs;ריקוד/rikud;नाच/naach;การเต้นรำ/kan ten ram",
        "light;lumière;luz;Licht;luce;luz;свет/svet;光/guang;光/hikari;빛/bit;φως/fos;نور/nur;אור/or;रोशनी/roshni;แสง/saeng",
        "shadow;ombre;sombra;Schatten;ombra;sombra;тень/ten;影子/yingzi;影/kage;그림자/geurimja;σκιά/skia;ظل/zill;צל/tsel;साया/saaya;เงา/ngao",
        "wind;vent;viento;Wind;vento;vento;ветер/veter;风/feng;風/kaze;바람/baram;άνεμος/anemos;ريح/rih;רוח/ruach;हवा/hawa;ลม/lom",
        "river;rivière;río;Fluss;fiume;rio;река/reka;河/he;川/kawa;강/gang;ποτάμι/potami;نهر/nahr;נהר/nahar;नदी/nadi;แม่น้ำ/mae nam",
        "city;ville;ciudad;Stadt;città;cidade;город/gorod;城市/chengshi;街/machi;도시/dosi;πόλη/poli;مدينة/madina;עיר/ir;शहर/shahar;เมือง/mueang",
        "summer;été;verano;Sommer;estate;verão;лето/leto;夏天/xiatian;夏/natsu;여름/yeoreum;καλοκαίρι/kalokairi;صيف/sayf;קיץ/kayits;गर्मी/garmi;ฤดูร้อน/ruedu ron",
        "winter;hiver;invierno;Winter;inverno;inverno;зима/zima;冬天/dongtian;冬/fuyu;겨울/gyeoul;χειμώνας/cheimonas;شتاء/shitaa;חורף/choref;सर्दी/sardi;ฤดูหนาว/ruedu nao",
        "spring;printemps;primavera;Frühling;primavera;primavera;весна/vesna;春天/chuntian;春/haru;봄/bom;άνοιξη/anoixi;ربيع/rabi;אביב/aviv;बसंत/basant;ฤดูใบไม้ผลิ/ruedu bai mai phli",
        "autumn;automne;otoño;Herbst;autunno;outono;осень/osen;秋天/qiutian;秋/aki;가을/gaeul;φθινόπωρο/fthinoporo;خريف/kharif;סתיו/stav;पतझड़/patjhad;ฤดูใบไม้ร่วง/ruedu bai mai ruang",
        "rose;rose;rosa;Rose;rosa;rosa;роза/roza;玫瑰/meigui;薔薇/bara;장미/jangmi;τριαντάφυλλο/triantafyllo;وردة/warda;ורד/vered;गुलाब/gulaab;กุหลาบ/kulap",
        "flower;fleur;flor;Blume;fiore;flor;цветок/tsvetok;花/hua;花/hana;꽃/kkot;λουλούδι/louloudi;زهرة/zahra;פרח/perach;फूल/phool;ดอกไม้/dok mai",
        "girl;fille;chica;Mädchen;ragazza;menina;девушка/devushka;女孩/nuhai;少女/shoujo;소녀/sonyeo;κορίτσι/koritsi;فتاة/fatat;ילדה/yalda;लड़की/ladki;ผู้หญิง/phu ying",
        "boy;garçon;chico;Junge;ragazzo;menino;парень/paren;男孩/nanhai;少年/shounen;소년/sonyeon;αγόρι/agori;ولد/walad;ילד/yeled;लड़का/ladka;ผู้ชาย/phu chai",
        "friend;ami;amigo;Freund;amico;amigo;друг/drug;朋友/pengyou;友達/tomodachi;친구/chingu;φίλος/filos;صديق/sadiq;חבר/chaver;दोस्त/dost;เพื่อน/phuean",
        "angel;ange;ángel;Engel;angelo;anjo;ангел/angel;天使/tianshi;天使/tenshi;천사/cheonsa;άγγελος/angelos;ملاك/malak;מלאך/malach;फ़रिश्ता/farishta;นางฟ้า/nang fa",
        "soul;âme;alma;Seele;anima;alma;душа/dusha;灵魂/linghun;魂/tamashii;영혼/yeonghon;ψυχή/psychi;روح/ruh;נשמה/neshama;आत्मा/aatma;วิญญาณ/winyan",
        "eyes;yeux;ojos;Augen;occhi;olhos;глаза/glaza;眼睛/yanjing;瞳/hitomi;눈동자/nundongja;μάτια/matia;عيون/uyun;עיניים/einayim;आँखें/aankhen;ดวงตา/duang ta",
        "kiss;baiser;beso;Kuss;bacio;beijo;поцелуй/potseluy;吻/wen;キス/kisu;키스/kiseu;φιλί/fili;قبلة/qubla;נשיקה/neshika;चुम्बन/chumban;จูบ/chup",
        "tears;larmes;lágrimas;Tränen;lacrime;lágrimas;слёзы/slyozy;眼泪/yanlei;涙/namida;눈물/nunmul;δάκρυα/dakrya;دموع/dumu;דמעות/dmaot;आँसू/aansu;น้ำตา/nam ta",
        "memory;souvenir;recuerdo;Erinnerung;ricordo;lembrança;память/pamyat;回忆/huiyi;思い出/omoide;추억/chueok;ανάμνηση/anamnisi;ذكرى/dhikra;זיכרון/zikaron;याद/yaad;ความทรงจำ/khwam song cham",
        "promise;promesse;promesa;Versprechen;promessa;promessa;обещание/obeshchanie;承诺/chengnuo;約束/yakusoku;약속/yaksok;υπόσχεση/yposchesi;وعد/wad;הבטחה/havtacha;वादा/vaada;สัญญา/sanya",
        "secret;secret;secreto;Geheimnis;segreto;segredo;тайна/tayna;秘密/mimi;秘密/himitsu;비밀/bimil;μυστικό/mystiko;سر/sirr;סוד/sod;राज़/raaz;ความลับ/khwam lap",
        "morning;matin;mañana;Morgen;mattina;manhã;утро/utro;早晨/zaochen;朝/asa;아침/achim;πρωί/proi;صباح/sabah;בוקר/boker;सुबह/subah;เช้า/chao",
        "evening;soir;tarde;Abend;sera;tarde;вечер/vecher;黄昏/huanghun;夕暮れ/yuugure;저녁/jeonyeok;βράδυ/vradi;مساء/masaa;ערב/erev;शाम/shaam;ตอนเย็น/ton yen",
        "street;rue;calle;Straße;via;rua;улица/ulitsa;街道/jiedao;通り/toori;거리/geori;οδός/odos;شارع/sharia;רחוב/rechov;गली/gali;ซอย/soi",
        "train;train;tren;Zug;treno;trem;поезд/poezd;火车/huoche;電車/densha;기차/gicha;τρένο/treno;قطار/qitar;רכבת/rakevet;रेल/rel;รถไฟ/rot fai",
        "mountain;montagne;montaña;Berg;montagna;montanha;гора/gora;山/shan;山/yama;산/san;βουνό/vouno;جبل/jabal;הר/har;पहाड़/pahaad;ภูเขา/phu khao",
        "island;île;isla;Insel;isola;ilha;остров/ostrov;岛/dao;島/shima;섬/seom;νησί/nisi;جزيرة/jazira;אי/i;द्वीप/dweep;เกาะ/ko",
        "garden;jardin;jardín;Garten;giardino;jardim;сад/sad;花园/huayuan;庭/niwa;정원/jeongwon;κήπος/kipos;حديقة/hadiqa;גן/gan;बाग़/baag;สวน/suan",
        "window;fenêtre;ventana;Fenster;finestra;janela;окно/okno;窗/chuang;窓/mado;창문/changmun;παράθυρο/parathyro;نافذة/nafidha;חלון/chalon;खिड़की/khidki;หน้าต่าง/na tang",
        "door;porte;puerta;Tür;porta;porta;дверь/dver;门/men;扉/tobira;문/mun;πόρτα/porta;باب/bab;דלת/delet;दरवाज़ा/darwaza;ประตู/pratu",
        "letter;lettre;carta;Brief;lettera;carta;письмо/pismo;信/xin;手紙/tegami;편지/pyeonji;γράμμα/gramma;رسالة/risala;מכתב/michtav;ख़त/khat;จดหมาย/chotmai",
        "name;nom;nombre;Name;nome;nome;имя/imya;名字/mingzi;名前/namae;이름/ireum;όνομα/onoma;اسم/ism;שם/shem;नाम/naam;ชื่อ/chue",
        "voice;voix;voz;Stimme;voce;voz;голос/golos;声音/shengyin;声/koe;목소리/moksori;φωνή/foni;صوت/sawt;קול/kol;आवाज़/awaaz;เสียง/siang",
        "silence;silence;silencio;Stille;silenzio;silêncio;тишина/tishina;沉默/chenmo;沈黙/chinmoku;침묵/chimmuk;σιωπή/siopi;صمت/samt;שקט/sheket;ख़ामोशी/khamoshi;ความเงียบ/khwam ngiap",
        "storm;tempête;tormenta;Sturm;tempesta;tempestade;буря/burya;风暴/fengbao;嵐/arashi;폭풍/pokpung;καταιγίδα/kataigida;عاصفة/asifa;סערה/seara;तूफ़ान/toofan;พายุ/phayu",
        "snow;neige;nieve;Schnee;neve;neve;снег/sneg;雪/xue;雪/yuki;눈/nun;χιόνι/chioni;ثلج/thalj;שלג/sheleg;बर्फ़/barf;หิมะ/hima",
        "gold;or;oro;Gold;oro;ouro;золото/zoloto;金/jin;金/kin;금/geum;χρυσός/chrysos;ذهب/dhahab;זהב/zahav;सोना/sona;ทอง/thong",
        "paradise;paradis;paraíso;Paradies;paradiso;paraíso;рай/ray;天堂/tiantang;楽園/rakuen;천국/cheonguk;παράδεισος/paradeisos;جنة/janna;גן עדן/gan eden;जन्नत/jannat;สวรรค์/sawan",
        "bird;oiseau;pájaro;Vogel;uccello;pássaro;птица/ptitsa;鸟/niao;鳥/tori;새/sae;πουλί/pouli;طائر/tair;ציפור/tsipor;पंछी/panchhi;นก/nok",
        "wave;vague;ola;Welle;onda;onda;волна/volna;浪/lang;波/nami;파도/pado;κύμα/kyma;موجة/mawja;גל/gal;लहर/lehar;คลื่น/khluen",
        "tomorrow;demain;mañana;Morgen;domani;amanhã;завтра/zavtra;明天/mingtian;明日/ashita;내일/naeil;αύριο/avrio;غدا/ghadan;מחר/machar;कल/kal;พรุ่งนี้/phrung ni",
        "yesterday;hier;ayer;gestern;ieri;ontem;вчера/vchera;昨天/zuotian;昨日/kinou;어제/eoje;χθες/chthes;أمس/ams;אתמול/etmol;बीता कल/beeta kal;เมื่อวาน/muea wan",
        "hope;espoir;esperanza;Hoffnung;speranza;esperança;надежда/nadezhda;希望/xiwang;希望/kibou;희망/huimang;ελπίδα/elpida;أمل/amal;תקווה/tikva;उम्मीद/ummeed;ความหวัง/khwam wang",
        "freedom;liberté;libertad;Freiheit;libertà;liberdade;свобода/svoboda;自由/ziyou;自由/jiyuu;자유/jayu;ελευθερία/eleftheria;حرية/hurriya;חופש/chofesh;आज़ादी/azaadi;อิสรภาพ/itsaraphap",
        "king;roi;rey;König;re;rei;король/korol;王/wang;王様/ousama;왕/wang;βασιλιάς/vasilias;ملك/malik;מלך/melech;राजा/raja;ราชา/racha",
        "queen;reine;reina;Königin;regina;rainha;королева/koroleva;女王/nuwang;女王/joou;여왕/yeowang;βασίλισσα/vasilissa;ملكة/malika;מלכה/malka;रानी/rani;ราชินี/rachini",
        "music;musique;música;Musik;musica;música;музыка/muzyka;音乐/yinyue;音楽/ongaku;음악/eumak;μουσική/mousiki;موسيقى/musiqa;מוזיקה/muzika;संगीत/sangeet;ดนตรี/dontri",
        "baby;chérie;cariño;Schatz;tesoro;querida;малыш/malysh;宝贝/baobei;ベイビー/beibii;자기/jagi;μωρό/moro;حبيبي/habibi;מותק/motek;जानू/jaanu;ที่รัก/thi rak",
        "party;fête;fiesta;Party;festa;festa;праздник/prazdnik;派对/paidui;パーティー/paatii;파티/pati;γιορτή/giorti;حفلة/hafla;מסיבה/mesiba;पार्टी/paarti;ปาร์ตี้/pati",
        "journey;voyage;viaje;Reise;viaggio;viagem;путешествие/puteshestvie;旅程/lucheng;旅/tabi;여행/yeohaeng;ταξίδι/taxidi;رحلة/rihla;מסע/masa;सफ़र/safar;การเดินทาง/kan doen thang",
    ]

    static let adjectives: [String] = [
        "blue;bleu;azul;blau;blu;azul;синий/siniy;蓝色/lanse;青い/aoi;파란/paran;μπλε/ble;أزرق/azraq;כחול/kachol;नीला/neela;สีฟ้า/si fa",
        "red;rouge;rojo;rot;rosso;vermelho;красный/krasnyy;红色/hongse;赤い/akai;빨간/ppalgan;κόκκινο/kokkino;أحمر/ahmar;אדום/adom;लाल/laal;สีแดง/si daeng",
        "black;noir;negro;schwarz;nero;preto;чёрный/chyornyy;黑色/heise;黒い/kuroi;검은/geomeun;μαύρο/mavro;أسود/aswad;שחור/shachor;काला/kaala;สีดำ/si dam",
        "white;blanc;blanco;weiß;bianco;branco;белый/belyy;白色/baise;白い/shiroi;하얀/hayan;λευκό/lefko;أبيض/abyad;לבן/lavan;सफ़ेद/safed;สีขาว/si khao",
        "golden;doré;dorado;golden;dorato;dourado;золотой/zolotoy;金色/jinse;金色の/kiniro no;황금빛/hwanggeumbit;χρυσό/chryso;ذهبي/dhahabi;זהוב/zahov;सुनहरा/sunehra;สีทอง/si thong",
        "sweet;doux;dulce;süß;dolce;doce;сладкий/sladkiy;甜蜜/tianmi;甘い/amai;달콤한/dalkomhan;γλυκό/glyko;حلو/hulw;מתוק/matok;मीठा/meetha;หวาน/wan",
        "wild;sauvage;salvaje;wild;selvaggio;selvagem;дикий/dikiy;野性/yexing;野生の/yasei no;거친/geochin;άγριο/agrio;بري/barri;פראי/perai;जंगली/jangli;ป่าเถื่อน/pa thuean",
        "lonely;seul;solo;einsam;solo;sozinho;одинокий/odinokiy;孤独/gudu;孤独な/kodoku na;외로운/oeroun;μόνος/monos;وحيد/wahid;בודד/boded;अकेला/akela;เหงา/ngao",
        "last;dernier;último;letzte;ultimo;último;последний/posledniy;最后/zuihou;最後の/saigo no;마지막/majimak;τελευταίο/teleftaio;أخير/akhir;אחרון/acharon;आख़िरी/aakhri;สุดท้าย/sut thai",
        "first;premier;primer;erste;primo;primeiro;первый/pervyy;第一/diyi;最初の/saisho no;첫/cheot;πρώτο/proto;أول/awwal;ראשון/rishon;पहला/pehla;แรก/raek",
        "new;nouveau;nuevo;neu;nuovo;novo;новый/novyy;新/xin;新しい/atarashii;새로운/saeroun;νέο/neo;جديد/jadid;חדש/chadash;नया/naya;ใหม่/mai",
        "old;vieux;viejo;alt;vecchio;velho;старый/staryy;旧/jiu;古い/furui;오래된/oraedoen;παλιό/palio;قديم/qadim;ישן/yashan;पुराना/purana;เก่า/kao",
        "little;petit;pequeño;klein;piccolo;pequeno;маленький/malenkiy;小/xiao;小さな/chiisana;작은/jageun;μικρό/mikro;صغير/saghir;קטן/katan;छोटा/chhota;เล็ก/lek",
        "beautiful;belle;hermosa;schön;bella;linda;красивая/krasivaya;美丽/meili;美しい/utsukushii;아름다운/areumdaun;όμορφη/omorfi;جميلة/jamila;יפה/yafa;सुंदर/sundar;สวย/suai",
        "crazy;fou;loco;verrückt;pazzo;louco;безумный/bezumnyy;疯狂/fengkuang;狂った/kurutta;미친/michin;τρελό/trelo;مجنون/majnun;משוגע/meshuga;पागल/paagal;บ้า/ba",
        "lost;perdu;perdido;verloren;perduto;perdido;потерянный/poteryannyy;迷失/mishi;失われた/ushinawareta;잃어버린/ireobeorin;χαμένο/chameno;ضائع/dai;אבוד/avud;खोया/khoya;หลงทาง/long thang",
        "broken;brisé;roto;gebrochen;spezzato;partido;разбитый/razbityy;破碎/posui;壊れた/kowareta;부서진/buseojin;σπασμένο/spasmeno;مكسور/maksur;שבור/shavur;टूटा/toota;แตกสลาย/taek salai",
        "eternal;éternel;eterno;ewig;eterno;eterno;вечный/vechnyy;永恒/yongheng;永遠の/eien no;영원한/yeongwonhan;αιώνιο/aionio;أبدي/abadi;נצחי/nitschi;अमर/amar;นิรันดร์/niran",
        "silent;silencieux;callado;still;silenzioso;calado;тихий/tikhiy;安静/anjing;静かな/shizuka na;조용한/joyonghan;σιωπηλό/siopilo;صامت/samit;שקט/shaket;चुप/chup;เงียบ/ngiap",
        "dark;sombre;oscuro;dunkel;buio;escuro;тёмный/tyomnyy;黑暗/heian;暗い/kurai;어두운/eoduun;σκοτεινό/skoteino;مظلم/muzlim;חשוך/chashuch;अँधेरा/andhera;มืด/muet",
        "bright;brillant;brillante;hell;brillante;brilhante;яркий/yarkiy;明亮/mingliang;明るい/akarui;밝은/balgeun;φωτεινό/foteino;ساطع/sati;בהיר/bahir;उजला/ujla;สว่าง/sawang",
        "cold;froid;frío;kalt;freddo;frio;холодный/kholodnyy;冷/leng;冷たい/tsumetai;차가운/chagaun;κρύο/krio;بارد/barid;קר/kar;ठंडा/thanda;หนาว/nao",
        "warm;chaud;cálido;warm;caldo;quente;тёплый/tyoplyy;温暖/wennuan;暖かい/atatakai;따뜻한/ttatteuthan;ζεστό/zesto;دافئ/dafi;חם/cham;गरम/garam;อบอุ่น/op un",
        "true;vrai;verdadero;wahr;vero;verdadeiro;настоящий/nastoyashchiy;真/zhen;本当の/hontou no;진짜/jinjja;αληθινό/alithino;حقيقي/haqiqi;אמיתי/amiti;सच्चा/sachcha;จริง/ching",
        "sad;triste;triste;traurig;triste;triste;грустный/grustnyy;悲伤/beishang;悲しい/kanashii;슬픈/seulpeun;λυπημένο/lypimeno;حزين/hazin;עצוב/atsuv;उदास/udaas;เศร้า/sao",
        "happy;heureux;feliz;glücklich;felice;feliz;счастливый/schastlivyy;快乐/kuaile;幸せな/shiawase na;행복한/haengbokhan;χαρούμενο/charoumeno;سعيد/said;שמח/sameach;खुश/khush;มีความสุข/mi khwam suk",
        "endless;infini;infinito;endlos;infinito;sem fim;бесконечный/beskonechnyy;无尽/wujin;終わらない/owaranai;끝없는/kkeuteomneun;ατελείωτο/ateleioto;لانهائي/lanihai;אינסופי/einsofi;अनंत/anant;ไม่สิ้นสุด/mai sin sut",
        "free;libre;libre;frei;libero;livre;свободный/svobodnyy;自由的/ziyou de;自由な/jiyuu na;자유로운/jayuroun;ελεύθερο/eleftero;حر/hurr;חופשי/chofshi;आज़ाद/azaad;อิสระ/itsara",
        "midnight;minuit;medianoche;Mitternacht;mezzanotte;meia-noite;полночный/polnochnyy;午夜/wuye;真夜中の/mayonaka no;한밤의/hanbamui;μεσονύχτιο/mesonychtio;منتصف الليل/muntasaf al-layl;חצות/chatsot;आधी रात/aadhi raat;เที่ยงคืน/thiang khuen",
        "young;jeune;joven;jung;giovane;jovem;молодой/molodoy;年轻/nianqing;若い/wakai;젊은/jeolmeun;νέος/neos;شاب/shabb;צעיר/tsair;जवान/jawaan;หนุ่ม/num",
    ]

    /// Words that stand alone as titles or close them ("Forever", "Tonight").
    static let adverbs: [String] = [
        "tonight;ce soir;esta noche;heute Nacht;stanotte;esta noite;сегодня ночью/segodnya nochyu;今夜/jinye;今夜/konya;오늘 밤/oneul bam;απόψε/apopse;الليلة/al-layla;הלילה/halayla;आज रात/aaj raat;คืนนี้/khuen ni",
        "forever;pour toujours;para siempre;für immer;per sempre;para sempre;навсегда/navsegda;永远/yongyuan;永遠に/eien ni;영원히/yeongwonhi;για πάντα/gia panta;إلى الأبد/ila al-abad;לנצח/lanetsach;हमेशा/hamesha;ตลอดไป/talot pai",
        "again;encore;otra vez;wieder;ancora;outra vez;снова/snova;再次/zaici;もう一度/mou ichido;다시/dasi;ξανά/xana;مرة أخرى/marra ukhra;שוב/shuv;फिर से/phir se;อีกครั้ง/ik khrang",
        "together;ensemble;juntos;zusammen;insieme;juntos;вместе/vmeste;一起/yiqi;一緒に/issho ni;함께/hamkke;μαζί/mazi;معا/maan;ביחד/beyachad;साथ/saath;ด้วยกัน/duai kan",
        "alone;seule;sola;allein;da solo;sozinha;одна/odna;一个人/yigeren;ひとりで/hitori de;혼자/honja;μόνη/moni;وحدي/wahdi;לבד/levad;अकेले/akele;คนเดียว/khon diao",
        "goodbye;adieu;adiós;auf Wiedersehen;addio;adeus;прощай/proshchay;再见/zaijian;さよなら/sayonara;안녕/annyeong;αντίο/antio;وداعا/wadaan;להתראות/lehitraot;अलविदा/alvida;ลาก่อน/la kon",
        "never;jamais;nunca;niemals;mai;nunca;никогда/nikogda;从不/congbu;決して/kesshite;절대/jeoldae;ποτέ/pote;أبدا/abadan;אף פעם/af paam;कभी नहीं/kabhi nahin;ไม่เคย/mai khoei",
        "now;maintenant;ahora;jetzt;adesso;agora;сейчас/seychas;现在/xianzai;今/ima;지금/jigeum;τώρα/tora;الآن/al-an;עכשיו/achshav;अब/ab;ตอนนี้/ton ni",
        "always;toujours;siempre;immer;sempre;sempre;всегда/vsegda;总是/zongshi;いつも/itsumo;언제나/eonjena;πάντα/panta;دائما/daiman;תמיד/tamid;सदा/sada;เสมอ/samoe",
        "far away;loin;lejos;weit weg;lontano;longe;далеко/daleko;远方/yuanfang;遠く/tooku;멀리/meolli;μακριά/makria;بعيدا/baidan;רחוק/rachok;दूर/door;ไกล/klai",
    ]

    /// Connectives per language: `of`, `and`, `my` (empty = language does not use that template).
    static let connectives: [(of: String, and: String, my: String)] = [
        ("of", "and", "my"), ("de", "et", ""), ("de", "y", ""), ("der", "und", ""), ("di", "e", ""), ("de", "e", ""),
        ("", "и/i", ""), ("的/de", "和/he", "我的/wo de"), ("の/no", "と/to", "私の/watashi no"), ("의/ui", "와/wa", "나의/naui"),
        ("της/tis", "και/kai", ""), ("ال/al-", "و/wa", ""), ("ה/ha", "ו/ve", ""), ("का/ka", "और/aur", "मेरा/mera"),
        ("แห่ง/haeng", "และ/lae", ""),
    ]

    /// Untranslated words that make Latin-script titles distinctive, per Latin language.
    static let rare: [[String]] = [
        ("velvet kerosene tangerine marigold harbor lantern cathedral satellite carousel whiskey highway neon thunder "
            + "lightning diamond echo horizon avenue boulevard paper glass mirror candle ghost stranger cowboy sailor soldier "
            + "lullaby serenade ballad blues rhapsody anthem waltz tango jukebox radio telephone postcard suitcase umbrella "
            + "orchid lotus jasmine honey sugar cinnamon coffee champagne cherry lemon peach silver copper iron stone sand "
            + "dust smoke ashes ember flame spark crystal pearl ruby sapphire emerald electric hollow restless fading burning "
            + "falling rising shining frozen painted forgotten hidden sacred gentle tender bitter lucky lazy dizzy purple "
            + "midsummer rainbow sunrise sunset daylight starlight moonlight heartbeat heartache daydream wildfire riverside "
            + "runaway hometown downtown skyline outlaw gambler preacher drifter dreamer lover sweetheart darling honeymoon "
            + "rollercoaster fireworks thunderbird hurricane tornado blizzard monsoon mariner wanderer").split(separator: " ").map(String.init),
        ("mistral lavande bohème guinguette tournesol clair-obscur mélancolie rendez-vous apéro boulevard crépuscule "
            + "tendresse ivresse caresse désir frisson rivage marée phare grenier chagrin flânerie bonheur hirondelle "
            + "coquelicot vertige insouciance nostalgie valse accordéon").split(separator: " ").map(String.init),
        ("guitarra duende madrugada alegría tristeza pasión bolero cumbia salsa flamenco morena sirena marinero "
            + "golondrina mariposa girasol lunera azahar veleta sombrero tequila malagueña cielito ranchera "
            + "besito corazoncito soledad nostalgia vendaval").split(separator: " ").map(String.init),
        ("Sehnsucht Fernweh Heimat Wanderlust Feierabend Gemütlichkeit Abendrot Morgenrot Wolkenbruch Sternschnuppe "
            + "Seemann Leuchtturm Straßenbahn Bahnhof Kaffeehaus Biergarten Schmetterling Sonnenblume Gewitter Nebel "
            + "Kirschblüte Weltschmerz Augenblick Herzschlag Rummelplatz").split(separator: " ").map(String.init),
        ("dolcezza tramonto alba mezzanotte serenata tarantella gondola piazza vespa limoncello gelato "
            + "malinconia nostalgia passione farfalla girasole lucciola sirena marinaio ritornello "
            + "cantina osteria fontana campanile").split(separator: " ").map(String.init),
        ("saudade fado samba bossa morena sereia jangada ventania maresia cachaça capoeira "
            + "carnaval batucada boêmia bem-te-vi sabiá girassol andorinha madrugada luar "
            + "cafuné chorinho marinheiro").split(separator: " ").map(String.init),
    ]

    /// Given names and places used as titles or in them ("Rosalie", "Nights in Valencia").
    static let properNames: [String] = (
        "Rosalie Valencia Juliette Marie Carmen Lola Sofia Elena Anna Lucia Josephine Caroline Isabel Marco Pablo Johnny "
            + "Billy Angie Maggie Sally Jolene Delilah Eleanor Madeleine Gabriela Rosa Nina Mona Alma Paris Berlin Tokyo "
            + "Lisboa Madrid Roma Napoli Havana Memphis Brooklyn Manhattan California Texas Marseille Barcelona Sevilla Rio "
            + "Bahia Hamburg Vienna Venezia Moscow Istanbul Cairo Bombay Kingston Dublin Glasgow Chicago Detroit Louisiana "
            + "Santiago Montevideo Casablanca Amsterdam"
    ).split(separator: " ").map(String.init)

    /// Per culture (SynthLanguage order): given names and family names, romanized.
    static let givenNames: [[String]] = [
        "James John Robert Michael William David Richard Thomas Daniel Matthew Paul Mark Steven Andrew Peter Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Emily Laura Rachel Grace Hannah Olivia Emma Chloe Amy Kate",
        "Jean Pierre Michel Philippe Alain Nicolas François Julien Antoine Étienne Hélène Marie Nathalie Isabelle Sylvie Céline Camille Chloé Léa Manon Amélie Sophie Élodie Mathieu Loïc",
        "José Antonio Manuel Francisco Juan David Javier Carlos Jesús Alejandro Miguel Rafael Pedro Ángel María Carmen Ana Isabel Lucía Laura Cristina Marta Elena Sofía Paula Inés Rocío Andrés Sergio",
        "Thomas Michael Andreas Stefan Christian Markus Wolfgang Klaus Jürgen Uwe Sabine Petra Claudia Monika Birgit Katrin Julia Anna Lena Jörg Matthias Tobias Florian Sebastian Ursula",
        "Giuseppe Giovanni Antonio Mario Luigi Francesco Angelo Vincenzo Pietro Salvatore Carlo Franco Domenico Bruno Paolo Maria Anna Giulia Francesca Chiara Sara Valentina Alessandra Federica Elisa Lorenzo Matteo Niccolò",
        "João José António Francisco Carlos Paulo Pedro Lucas Luiz Marcos Luís Gabriel Rafael Maria Ana Francisca Antônia Adriana Juliana Márcia Fernanda Patrícia Aline Beatriz Inês Gonçalo Tiago",
        "Aleksandr Sergey Dmitriy Andrey Aleksey Maksim Yevgeniy Ivan Mikhail Artyom Nikolay Vladimir Igor Pavel Anastasiya Yelena Olga Natalya Yekaterina Tatyana Irina Svetlana Mariya Anna Yuliya Kseniya Darya",
        "Wei Fang Na Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Tao Ming Chao Xiuying Xia Hui Ping Gang Hong Yu Hao Xin Yi Lan",
        "Haruto Yuto Sota Yuki Hayato Haruki Ren Takumi Kenji Hiroshi Takeshi Daisuke Akira Yui Hina Sakura Aoi Yuna Misaki Ayaka Haruka Nanami Emi Keiko Yoko Naoko",
        "Minjun Seojun Doyun Yejun Siwoo Hajun Jiho Jihoon Junseo Hyunwoo Seoyeon Seoyun Jiwoo Seohyun Minseo Haeun Jiyoon Chaewon Sua Jimin Yuna Soyeon Eunji Hyejin",
        "Georgios Dimitrios Konstantinos Ioannis Nikolaos Panagiotis Vasileios Christos Athanasios Michail Evangelos Spyridon Maria Eleni Aikaterini Vasiliki Sofia Angeliki Georgia Dimitra Konstantina Paraskevi Anastasia Eirini",
        "Mohamed Ahmed Ali Omar Youssef Khaled Hassan Ibrahim Mahmoud Karim Samir Tarek Fatima Aisha Mariam Nour Layla Yasmine Salma Rania Hana Amira Leila Zeinab Dalia",
        "David Moshe Yosef Avraham Yaakov Daniel Itai Noam Ori Eitan Yonatan Amit Noa Tamar Shira Maya Yael Michal Talia Rivka Sarah Hila Adi Liat",
        "Aarav Vivaan Aditya Arjun Rohan Rahul Amit Vikram Sanjay Rajesh Suresh Anil Priya Ananya Diya Kavya Pooja Neha Sunita Anjali Shreya Aishwarya Lata Asha Kishore",
        "Somchai Somsak Anan Prasert Surachai Wichai Kittisak Nattapong Thanawat Chaiwat Siriporn Malee Nok Pim Ploy Kanya Suda Ratana Wanida Araya Chanida Nattaya",
    ].map { $0.split(separator: " ").map(String.init) }

    static let familyNames: [[String]] = [
        "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray Hughes Price Sanders Myers Long Ross Foster",
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre Michel David Bertrand Roux Vincent Fournier Morel Girard André Lefebvre Mercier Dupont Lambert Bonnet François Legrand Garnier Faure Rousseau Blanc Guérin Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Fontaine Chevalier Robin",
        "García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro Torres Domínguez Vázquez Ramos Gil Ramírez Serrano Blanco Molina Morales Suárez Ortega Delgado Castro Ortiz Rubio Marín Sanz Núñez Iglesias Medina Garrido Cortés Castillo Santos Lozano Guerrero Cano Prieto",
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Vogel",
        "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti De_Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra Coppola De_Santis D'Angelo Marchetti",
        "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento Andrade Moreira Nunes Marques Machado Mendes Freitas Cardoso Ramos Gonçalves Santana Teixeira Araújo Conceição Moura Cavalcanti Pinto",
        "Ivanov Smirnov Kuznetsov Popov Vasilyev Petrov Sokolov Mikhaylov Novikov Fyodorov Morozov Volkov Alekseyev Lebedev Semyonov Yegorov Pavlov Kozlov Stepanov Nikolayev Orlov Andreyev Makarov Nikitin Zakharov Zaytsev Solovyov Borisov Yakovlev Grigoryev Romanov Vorobyov",
        "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng Liang Xie Song Tang Deng Han Feng Cao Peng",
        "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki Mori Abe Ikeda Hashimoto Ishikawa Ogawa Fujita Okada Goto Hasegawa",
        "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Yoo Hong Jeon Ko Moon Yang Son",
        "Papadopoulos Papadakis Georgiou Dimitriou Nikolaidis Papageorgiou Konstantinidis Vlachos Oikonomou Makris Karagiannis Ioannou Christodoulou Pappas Antoniou Alexiou Theodorou Vasileiou Angelopoulos Michailidis Kyriakou Stavropoulos Mavridis Panagiotopoulos",
        "Haddad Khoury Nasser Mansour Saleh Hamdan Farah Aziz Rahman Qasim Darwish Sabbagh Najjar Barakat Hariri Said Yousef Abboud Karam Shaheen Rizk Awad Hussein Fakhoury",
        "Cohen Levi Mizrahi Peretz Biton Dahan Avraham Friedman Malka Azoulay Katz Yosef David Amar Ohayon Hadad Gabay Ben-David Shapiro Levin Rosenberg Golan Ashkenazi Segal",
        "Sharma Verma Gupta Singh Kumar Patel Shah Mehta Joshi Rao Reddy Nair Iyer Menon Chopra Kapoor Malhotra Bhatt Desai Kulkarni Mishra Pandey Agarwal Banerjee Mukherjee Chatterjee Das Bose",
        "Saetang Srisuk Wongsawat Chaiyaphum Rattanakorn Sukprasert Boonmee Thongchai Kaewkla Phrommin Siriwat Jaidee Sombat Panyawong Chantarasri Intharasuk Wattana Sangthong Phongphan Kongkaew",
    ].map { $0.split(separator: " ").map { $0.split(separator: "_").joined(separator: " ") } }

    /// Concert venues and cities for "Live at …".
    static let venues: [String] = [
        "Wembley Stadium", "the Olympia", "Budokan", "Madison Square Garden", "the Royal Albert Hall", "Montreux",
        "Red Rocks", "the Hollywood Bowl", "the Apollo", "Rock in Rio", "Glastonbury", "the Paradiso", "Tivoli",
        "the Fillmore", "le Zénith", "Palau Sant Jordi", "the Arena di Verona", "the Olympiastadion", "the BBC",
        "Abbey Road", "the Bataclan", "Carnegie Hall", "the Greek Theatre", "Luna Park",
    ]
    static let cities: [String] = [
        "Paris", "London", "Berlin", "Tokyo", "Seoul", "Madrid", "Lisbon", "Rome", "New York", "Buenos Aires", "Athens",
        "Mumbai", "Bangkok", "Moscow", "Tel Aviv", "Beirut", "Montreal", "Sydney", "Mexico City", "São Paulo",
    ]
    static let karaokeLabels: [String] = [
        "Karaoke Galaxy", "Backing Tracks Pro", "Starlight Karaoke", "Top Karaoke Hits", "The Sing-Along Crew",
        "Party Tyme Tracks", "Karaoke Kings Studio", "Instrumental Hit Makers",
    ]
    static let labels: [String] = [
        "Northern Lights Records", "Blue Harbor Music", "Velvet Tone", "Disques Mistral", "Discos Duende", "Sonar Nord",
        "Seoul Wave Entertainment", "Sakura Sound", "Red Lantern Records", "Atlas Recordings", "Lighthouse Audio",
        "Casa Bossa", "Olympus Music", "Cedar Records", "Lotus Records", "Golden Era Records", "Midnight Tapes",
        "Parlophone Street", "Kite Records", "Ember Music Group",
    ]
    static let publisherWords: [String] = [
        "Harbor", "Lantern", "Mistral", "Aurora", "Cedar", "Atlas", "Meridian", "Solstice", "Juniper", "Beacon",
        "Orchard", "Summit", "Riverside", "Compass", "Horizon", "Nightingale", "Crescent", "Evergreen", "Bluebird",
        "Sapphire", "Granite", "Willow", "Falcon", "Harmony", "Keystone", "Lotus", "Oriole", "Pioneer", "Quarry", "Sparrow",
    ]
    static let publisherSuffixes: [String] = [
        "Music Publishing", "Songs", "Music", "Éditions Musicales", "Ediciones Musicales", "Musikverlag", "Edizioni Musicali",
        "Publishing Ltd", "Music Group", "Songs Inc",
    ]
}
