-- A database made by cgtextract at commit e84bc8f (schema 0002; the ingest tables made by
-- ingest_store.py's create_all): one ingest run of a 3-item feed (2 stored, 1 failed), then
-- Store.save of an event named ABC_101 with the aliases acme-cel and "Acme's cel (ABC)".
BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES('0002');
CREATE TABLE articles (
	id INTEGER NOT NULL, 
	url TEXT NOT NULL, 
	final_url TEXT, 
	title TEXT, 
	published DATE, 
	fetched_at DATETIME, 
	content_hash VARCHAR(64), 
	text TEXT, 
	etag TEXT, 
	last_modified TEXT, 
	http_status INTEGER, 
	error TEXT, raw_html BLOB, extractor_version VARCHAR(64), extracted_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (url)
);
INSERT INTO "articles" VALUES(1,'http://127.0.0.1:43887/news/b','http://127.0.0.1:43887/news/b','Mustang Bio Announces Orphan Drug Designation for MB-107 for the Treatment of X-Linked Severe Combined Immunodeficiency in Newly Diagnosed Infants','2020-09-02','2026-12-05 06:48:18.298774','577299e3901e68c4ca0e6974e47bf3564f33fb731e20c598e160d3112f6f84c4','Mustang Bio Announces Orphan Drug Designation for MB-107 for the Treatment of X-Linked Severe Combined Immunodeficiency in Newly Diagnosed Infants
WORCESTER, Mass., Sept. 02, 2020 (GLOBE NEWSWIRE) -- Mustang Bio, Inc. (NASDAQ: MBIO), which is working to turn recent advances in cell and gene therapy into potential cures for blood cancers, solid tumors and rare inherited diseases, said today that MB-107, its lentiviral gene therapy for X-linked severe combined immunodeficiency (XSCID) in newly diagnosed infants younger than two years, has received Orphan Drug Designation from the U.S. Food and Drug Administration (FDA). XSCID is often called bubble boy disease.
MB-107 already held two FDA designations for XSCID in newly diagnosed patients: Rare Pediatric Disease Designation, granted in August 2020, and Regenerative Medicine Advanced Therapy (RMAT) designation, granted in August 2019. In April 2020, the European Medicines Agency classified MB-107 as an Advanced Therapy Medicinal Product (ATMP).
The FDA''s orphan drug program covers drugs and biologics meant to treat, diagnose or prevent rare diseases that affect fewer than 200,000 people in the U.S. Designated products qualify for incentives including tax credits for clinical trial costs and waived prescription drug user fees. If a product with the designation receives the first FDA approval for that disease, it is entitled to seven years of market exclusivity, independent of intellectual property protection.
“On the regulatory front, this has been a very productive quarter for Mustang,” said Manuel Litchman, M.D., President and Chief Executive Officer of Mustang. “We are very pleased to reach another significant milestone with Orphan Drug Designation for MB-107 for newly diagnosed patients with XSCID.”
On August 31, 2020, Mustang announced that the FDA had also granted Rare Pediatric Disease Designation to MB-207, its lentiviral gene therapy for XSCID patients who already underwent a hematopoietic stem cell transplantation (HSCT) and need to be re-treated. Mustang expects to submit an Investigational New Drug (IND) application to the FDA in the fourth quarter of 2020 to begin a multicenter, pivotal Phase 2 trial of MB-207 in this population.
About MB-107 and MB-207
MB-107 and MB-207 are ex vivo lentiviral gene therapies: the patient''s own hematopoietic stem cells are collected, a lentiviral vector inserts a functional copy of the IL2RG gene, and the corrected cells are returned to the patient. MB-107 is being developed with St. Jude Children''s Research Hospital and is being studied in newly diagnosed infants. Scientists at St. Jude and at the National Institute of Allergy and Infectious Diseases (NIAID), part of the National Institutes of Health, jointly developed the lentiviral method behind MB-207, which has been studied at NIAID since 2012 and is being assessed in a NIAID-supported Phase 1/2 trial in XSCID patients older than two who received a prior HSCT.
About XSCID
XSCID is a rare genetic disorder that occurs in approximately 1 in 225,000 births. It is caused by mutations in IL2RG, the gene on the X chromosome that codes for the common gamma chain shared by the receptors of at least six interleukins. Affected children have no T cells or natural killer cells and non-functional B cells, and without treatment they usually die within their first year of life.
About Mustang Bio
Mustang Bio, Inc., founded by Fortress Biotech, Inc. (NASDAQ: FBIO), is a clinical-stage biopharmaceutical company based in Worcester, Massachusetts, that develops CAR T-cell therapies and lentiviral gene therapies.
Forward-Looking Statements
This press release may contain forward-looking statements within the meaning of the Private Securities Litigation Reform Act of 1995, including statements regarding the timing of IND submissions and clinical trials. Such statements involve risks and uncertainties, and actual results may differ materially from those expressed or implied.
Company Contacts: Investor Relations and Media Relations, Mustang Bio, Inc.',NULL,NULL,200,NULL,X'789CAD595D7223B7117EF72910A62A91AAF827BA5CF16E24567125EDAE5CAB9542CA59FBC985990139F062066300438A5579F0419203E41A398A4F92AF1B33438A12377EC88B4DCD601ADD5F7FFD75037BFE87ABBBCB871FEFAF451E0A33FDEA9CFE278C2C57173D55F6E88192D9F42B21CE0B15A44873E9BC0A17BD3A2C07DFF6F845D0C1A8E96DED033E136FB415B3B2B475992A2FEE5C95CB525CB97A25AE94D7AB52066D4BB1B44EDCBE199C8DFFC23F43AEC483533214AA0CC22EC50F8BCB9B2BA14BF1516DCC565C69B92AAD5799B82997B20C5EFC43BC3336519FB453E2BD9226E4E7A3E848E76BE56CA55CD85EF4A40B3A35EA75552746FB5C653F055DA89E486D19B0E1456F329E8C07E35783F1A4F7D2F776F5DAEBA07E2AE593AF0E3DD8FB96565EF4D65A6D2AEBC2DE371B9D85FC22536B9DAA01FFD147983A6869063E95465D9C453346979F8553E6A2E7C3D62878AD6027776A79D11B498F24F851EAFD881C1BE207E56A1493759ED86CCB4632BD163ABBE8A5D67ED66A90C8B2540EDE1818E89EC2370FDF7AC2596CDFCBE08A5DB113B0504D3F2921CB4CD8DA890A40C28017B557227EED45B00230795B4A60ABDA48FBA250D2D7C0062F91E242820F6C08B0AE75A684B72976C2326C2896C83D16FBA1F8D1D6220565C0B472A5C496F64D73AB894D32C0C25650F286E7A3AA7131A94300A5C2B682F7F18FDE7496A6AAC27263CE47F1D9F4C8CAB9FA59A5A15B45B08D801BFF203C956BF122A807CDA30DD2DE624428374B809CED4DCF659BA8DEF4394DE5B4DB001F97B2FBB890BA1CE06F18A8CD140CD819FA636F8A4AF0CEDA221AA097070B6ECA0C35E89093A34BF65D78E1356A37A8342F2DC2D81E5DB550D2A5B9982B830C7F61B3459DF8D4E944ED568C28AE11426C82276274E8B2D99E90292904B06B1E4CCF7559D5A1C95A508F606A2CAF5F7AA2323255B93548C9456FD17E3022BB3193315D5D31347B25D09A2C757591F48E622CFEB40A7F152FA3F7FCDD9EFCF52152E9F0499ECF29B5BBB2E30A79813D8D4E0D364E56EDEBE659BBA4848783E659B384787AF6FFD6DFC107E80FF476A1D60ADCBDB445A24BD2DFA2A84B9BA9A54EB52AD3ED17341AE09F751E561DF45B289B2216554115094A693CE90B126031FEF6F5782CAE1F20EE0B947DAA5E8B1760AD3A9B7BC879F4253508D61AFF34A30B7AC129DB7F7A8D7C98674FEF9D2EC3417D4609BC9B5F5E2F1EAEE77D718BED867D41DE0F779E9FBCFB70F7E65A7CBCFEB4F87433BF3E1583C173D7C5C9C7D9E26AF63744F5E6E6EEB42F36B9461D692F36D67DD6580A29850A9690FD94F220B3B5E42C127794312C9F2B552ACA172842E093FA5AA21369694A12CA094D8CB519E9680A69EE436B8DCE60BBB0106FB2E2800ABE8619685A26322837D532564A5A68330999CDA1B79124E851E8B986B6596B879D9E78411BFE303091303E12266D09A30F0973C2BDFD94822A993859471CDD3477883EB49F6809EE868D155B54369CCBA5676CF41A8B8F52DBD98209FDFD7031146F09078A98D7CDB202CD162219979EBCBD9A9D0EDB61C383F84012A81903FB499D24A8BBC46E5B789E90AF9A36F5230D89C956E4CA64EC2C8C8A6CE7504C4837D01CC65C611170F5AFC59C72724FED10229EA29E78D3FDD8FA62E50010232566F50A0C63FEF539C2B9A2AC50686B256E6127450210329328130F4DB64EE6B7B387D37D0F5F367BF66A08DA8A59E5B469762154AF6B1A8B007CBB8317B31527964B512F35ECB4D010D99E7BD07C091ADD3B9BD5691027B387DBFBD3037CB19CB0FC33F212539D510A313EC05B740DBBA649849E454A279ADA964E3D4D1EA81E2A2692B47E0736ECE073F0136FB9005ADA47AACBE512830046914D4BBDC978DC1F43922A652B43F5B2E3559B15C5030D05E1C52F3546A065AC075DA65C2D5CBDA9A933AE6FF9285287E84324458A9AD1A01B1CE5F2B53EC4583692290E67A983564C568E1E839783873428DD2C856CF7C6381272766E2FAD6DA9787EB1D40E69256ECA8A4630EC17951F9137385095531990E3814A0010523997B1FEA82F14D27D5641A84784E4A105614BE36BA62A85FFC4D6014D82560149A0D1CDD0F403A305B97590E5DF7EFDE75DC4D5A9556D64B06E4B354C2364C8E10D157DA2E08414C8F8B60D99480EC05D2040A89B45B9EDFFF6EBBFA288DDCAB256467CD021CD317D42BA875750EE7B60AAD95702FA32D76A29AE1F555AB3C5BB25740A161147637028E021CDC0E04BDC9FC71E0607F48280CBD292120A021EF44F897C85C6C88E7152C5CCFCCE367C4C1BA211969021E27B0AE05D57B35F9FF59B426D7B8F6C06812CE639C48A02A4D044E36D57F7FF5B7A285C783AF95DBD80B56EE77C6E3B91AC4113B761F4219805B25D59AD30CD088F69207639A873E931D895A151E9F78B4B0816A5AB5411F884D832E0F256D9B00B573D568A0A91785B2785A61C43C3500241AFD818DCC5B412137172F3116D08D56090B336C616A2A6D6979843007D4B34D082FB3DBBB0D2C4C9A236701F1129D717955EDB40BA96137C93A6AE894C0C5DB40A4E57B622AA1F56433E99CE125B874E3FCBACF912B3D4E485D6D3BD677AAA47B1860347728373C16B8EA9490CE9EAA63C9605CF1653CB95AC3274987DB36B3C6491831C9164892558D6E09B5AD00021D356371F26F377EC446C51F42CB5CEB1CDBD7D9CA2B927E676CFC5610B8426092005C5C15919484A164B628125DFD5384CA28E4DE65489A0E62A1E1CC47BEB2B4DD9A09D3B0B3E408B63AB3B327E0CC5824695A0598DC36E13B2D354D1C7964D3725B815EAA028E419D072AB2D2FC410CC7A57FBB69C3C06C09B19469F3E1FA45B8C9E9B62A58D878DBEF8D94250C9CD2E72FA682F17850A39669C44E5BAA3433B5B76DAD9460DF7D90788159DC7D1E5274FE1A19B051FC1405A79EDC0D715DD62E061E4F5D9A86536161D143B1FC576831BD57E37B151BBD2A00DD5F3CBBC6763075CEFA633199B36B189A88AA6655DB319C04C31FCF2A4CCEDED5183D50AB09DD1A3C9E41BEEE389463153EBE43697CA9A024DB6A8E1D08C6A58CC9C8DB30E578F8D4AF08348734C96D6DB42C52D534CB5BE3B3E61E02DB074258B82AFC960890F25BC416C6F742361631FC5E7D44602F2F0C81DD31955E30C00E7663C865079349C4616D1994A2B1E9A8AA14E41D72548C0674D946B2B8914D29683BD627C135FC5EAA39221944377D2835FD0648F4ECD8510BB55943EED9A91817A3FB98CD1461D51ABDD49E750A70ECF407D5254F40046E52D48856EEC4573EF70784C7A1B8F499CFA76541AC0E04AD1B0878EEA0A9CFED1B853969DA2A2CBA14436ECFD647182F42CCB746843A746BA43F0FD66E689F5E4C5E56C2E1E06B1F3B442C9701D95D1431410C746BA6CF0816EC410ED026C5284AF3F80E381B59F4376F1F60403D596AFCC882FCBC68E69ECF8CECE5E5E78BAA5B78D7CE0D0BAC6329C4851003A90F318799A760731E42B9659CA7273F6EAD537FDBD79746F030C5FD89A8754180DBA68B6408F8CBD14A33D150801F3746C25BDACA1357BC674B9B6069C75DA7F8E9FD010E228487230B251C6091168A0837A0622D3E0BE1354BA64D96CDBC31C0DEF68EE2E4A13759E025D1BADFFE92874D970E092004DE94C159B3F3E982BD39438374DBE74EC9EF5BF70CF703E6A6E5BBA7D24CD8FBB3BC14C25D2755731C488AFA76C199EBAEE8E0C0F772B6AB3FB83AF7A9F5C591C9605AC90FC7ACCE2604AD60D233C892C718E2AF922B501B2BB6CFBC20EB3BFCFEF505BDD78E877A7BAFDA3567630A9E2B3C1FC6A309E5079BD93483ABC68CE0ECFB7E5CBBE16B31183D622DADE8A8DE85A8C7F2DAD0D0717ADF1D1EE1EFA3FFF8E111F5EA80EA9ED7648F33811E5D65748AD4EB4C129A5AD16D0B8566E2FBBB569378DFBF13506DD211D40C6658643EEBDC5B478FC6EF441B98205FEFB3D480E175DF2CD392A360454D9F10BD486C64FAF4F19B7E82BDDF8C7AB7EF08BFFF9E6BFD64DB375','0.1.0+e62b473d9ebd','2026-12-05 06:48:18.308104');
INSERT INTO "articles" VALUES(2,'http://127.0.0.1:43887/news/a','http://127.0.0.1:43887/news/a','CARsgen Announces Investigational CAR-T Therapy CT053 Granted PRIME Eligibility by the European Medicines Agency','2019-09-23','2026-12-05 06:48:18.324906','98e439314085a20d2ec33f39cde2d32abbab23cb36350bbb48e00f5f29eecf07','CARsgen Announces Investigational CAR-T Therapy CT053 Granted PRIME Eligibility by the European Medicines Agency
SHANGHAI, Sept. 23, 2019 /PRNewswire/ -- CARsgen Therapeutics Inc., a biopharmaceutical company in clinical development, said today that CT053, its investigational autologous CAR T-cell therapy built on a fully human anti-BCMA (B-cell maturation antigen) binder, has been admitted by the European Medicines Agency (EMA) to its PRIority MEdicines (PRIME) scheme for relapsed or refractory multiple myeloma.
The EMA based its decision on clinical results from the ongoing Phase 1 study of CT053 in China, which were reported in an oral presentation at the 17th International Myeloma Workshop in Boston on September 14, 2019. As of the June 30, 2019 data cutoff, 21 of 24 patients (87.5%), who had received a median of 4.5 prior lines of myeloma therapy, had an objective response, and 19 of the 24 (79.2%) had reached a complete response. No patient experienced cytokine release syndrome of grade 3 or higher. Duration of response will be reported at a later date.
“Eligibility for PRIME is an important regulatory milestone for the ongoing development and future commercialization of CT053,” said CARsgen''s chief executive officer, Zonghai Li, M.D., Ph.D. “Our BCMA CAR-T has shown the potential to be a best-in-class BCMA CAR-T therapy, and PRIME support will be invaluable as we work to bring it to market and to patients as quickly as possible.”
Earlier, the U.S. Food and Drug Administration cleared the CT053 IND and designated the program an orphan drug, and in Canada Health Canada authorized its Clinical Trial Application (CTA).
About PRIME
PRIME is a voluntary EMA program that supports the development of medicines that target a significant unmet medical need and show a high potential to benefit patients. Developers of PRIME medicines receive early and enhanced dialogue with the agency to optimize development plans and may qualify for accelerated assessment of their marketing authorization application.
About CT053
CT053 is an autologous CAR T-cell therapy that uses a fully human single-chain variable fragment directed against BCMA, a protein broadly expressed on malignant plasma cells in multiple myeloma. CARsgen is evaluating CT053 in clinical studies in China and is preparing studies in North America.
About CARsgen Therapeutics
CARsgen Therapeutics is a Shanghai-based company that discovers and develops CAR T-cell therapies for hematologic cancers and solid tumors, with operations in China and the United States.
Forward-Looking Statements
Statements in this release about future expectations, plans and prospects are forward-looking statements that involve risks and uncertainties. Actual results may differ materially from those indicated, and CARsgen assumes no obligation to update them.
SOURCE CARsgen Therapeutics',NULL,NULL,200,NULL,X'789CBD585B721BB915FD9F55DC303519AB8A0F3DECF83112AB684A1E6BCA9255925CA9E4670ADD0DB211A1813680A68653F99885240BC836B2945949CE05BA9BA42C79F2952F89785C5C9C73EE037DFC87D38FF3DBBF5E9D51192A3DFDE698FF90166679329066C0035214D36F888E2B1904E5A5705E8693411316A35783381154D0723A9F5DFBA5343433C63626979ECECD4AFAA09622286B8426AC18DDD26D299DA8D734BFDD7F71443F3861822CE8EAFAFCE28CCEB45AAA4C6915D694AD299492CE1A676B290C5DC842E5CAC0EE0CC7E46B1AD1857077325C35DA4BBA94F7FE5E39793C49EEF41ED7BCDF85F5C940B8A0722DDFD44DA6952F65F15350951C506EE182C19D0EF70F5E8FF65F8F0E8F068FEDB7CB375E05F993113BBB1EF3626B3FAF3E19AC94BCAFAD0B5BFBEE5511CA9342AE542E47F1C790945141093DF2B9D0F2E42099D1CADC9193FA64E0C35A4B782E61A77472713298080F3AFC24F77EC2CE8DF10FB33649B41D67B6584723855A912A4E06B9B5774A8E32618C74F046C3403F0ADF3C7C1B90B3387E50C015BB8C4EC0423DBD2D95273E851A0F1ED2264FC21418AD94168E82CC4B63B18B2716D66152E835704FCB80A4672D280FCE45B102B0CA2BB31C834B239692D6B671805C2EA49351446C22CF651D28D8889D328D1C1F4FEAD6ABAC09C11A0AEB1A0EA71F83E92CED105A1F4FD2D8F48995D7F2EF320FFD2A466A02A8E23F0CA1741D447CEF513BD453DC02DB2EC1B5ED607A2C3A6E06D3C7152AA6FD213060446FA012CA8CF01B461A3D05F11B637FEC8CF9B49FE71ECCDF049BDF3D3D7D269C01D44F2F78AB2CD3F7E4FC9593DED3B5D45280FE2797F13DB50C01546FD64CF83E135CADBD34A451F5C84AE1F272009E395100B776607AAC4CDD8496B1207F863053347D1E50AD452E4BAB41C7C9E0A6DB3061BB89C54455AFFDF6ACCC6138774D950D7EE76EF4A765F89EB6D7BC974287F2F1B916BB28FDF50EC3C74CEA26CE62F03FA29D36398DEE911CBBE976AC5B6200ECA81D6B97B04A0FFEEFA917E01EF4E7D73DB46B242A387675DD4B9DFE4137B21ED3E1D19038B90E69FFCF6FF6F76976D107F02E0A1EE5458E82B5DAEFF273C31311FA1D49035BFDC5E89553263C88B298BF6EDECF2E7F783F3B1FB25761E3164DAEAE3B9727341A510768024C36317F9D9B7C3C244199B235BCA9A03F9E00BAB9AD6A61D61479460AE731E475A96D5D81ED2179A10AE4AF4230B022240290ED83C79E5DA644135843B6F1EC05DD8E72A935D31199CB1AA503218B095A345AAFA96C2A100422D5E8EDFC6246CFDEA60D95088D8B36E3242EB307C70D226248A5F094495C4F14950A2C81DFADB5CFCE2E667B9C81D96508C63AD6C9C559B7EC5914D11EF9BC94958C891F054BD49CE6E3FF0B87E8B66E4D55A383AA21EA6A0D7C2A31DE56029718B8817B6482B7F26985CC5122700FBB852EA2157650619CADA2EBD62C2D921B5DE172920EC887A658935DB45A0733F3521931A4FB52E525DDA3BCC00857643E8641829F308CD2C315B0452E44DB072F4309F691D04CC7D245729EFE62DD9D2F6DCD26DE5A1F929BAC2E5965281407CF93C2C634F3EC0D9BFBB131928EF65BE91582BB2A90BE5860E480171D3EA71A07C10D00FBEAE5F8C5B77BECB70571059CCEA55A71F5A40A2CB1DF0B7A3E7E01CF1590D6910E0CB5F076CA19C6CDBC3AE382070B8C61CDF57E182B335C69FDC3F1CF5EBE1E1F7EBBD71E28402A9FC7324762DFEC1CD3A5ED5C25F9338ABBE2A25D50BE0E680D0CAF8C0995FCDA14A04AF2194B87C44C47AC8B522DE1DE984E3BAD62BA338E220B1D675B34810E81D6143C306AF281727EFBF59FDB398C2598329BE2D68354C556100BB0B76C60258A51A19D026949B1DB3ADA0ADF08CFA2413C4986A0922E475FA47EE93D4ED1FCDBAFFF4A71DE268FEFD020954A2E008C04BF8C383846AF8708FC1B8E2985A20F6A4817E353A495AB127F0877F888FE2746724AD91CAB10D8BD89DED596AB074EE75004344846F07F84A621E6CFED8D3DEFEC7D02C2373563D0038BD42374233204234EB907E25073B4EC1802155BAE2A361DD14AB01B5D62C3E746E5774841F8B7B6DE2BD81903845D56D07468C55766F73F8D6FC6F4CEDA229A3B75CD9266484146F9D0F28FCA863C5FC4D52972CF2F4FE3EA427AB544FCB593E8CAA1A32AC52DD2B1A102E6D26D39D8D14D168252C5EE7E21B596485CBFB48965DE25935BC788CEEA5AE36774E3D9FC76B6B7A3AFF2703ACB2C9A9108250AE0E1D625373AA395D50DD207B4C559ACF33226FD167E1FFDDFD617476B9F70E352185832E8C47756100DEBB631784FA49570D74899606475602587D2437D18B900891D6708B374281A333E3379BD39B9CD2C04069855989606C0723CA78740C3310938D97F91EA028EB1355E510075E74AE8CE4CEAF82BD4BCCF0DE2659162929B790D69C680C6DBC5FB0E039855AED51BEBAFA3ABCDC51B7A1E2726CAE501316DF28F09E0EB8535C21E5F35BB95951F27E8CAF0EC85AA56024AE17041355B46B70B740C79BCCA120B7C8811C84D02980F125B326745016BC88EDC61723934B8A3662D279C3C9234BBC2ADC097D5B16F45700919C33562D357B5BE2272C1E3375757E95224782E68B588F1BCB5E2123A2C69865486BD4FC0F9480BF410DDC7BAA41805E8D662821BA532DEF54711E442F9DCAE588329ACA3681EE1A47B40A2A11091399553CE726C777AABB9A96A2AEBFC300993A51D15F20086987BF0B2862B3728EDD23FBCF23BEBEE852B461FF8450BA8E22A26F8E19537137C42E0F77057E24484ADAD135C0CF3D445C0B94D3440169E67F0CBC5A2138FD5EDB17E633D4285046D35576AE5EFD27EEEEE51C5D0DF021E34157968B6BA218EB5422DF076E6FE4F725A83F4DA1EC97ACEF89C3C80434A941D8188C3A602DC06D19CE9B617E5D86E6A2EB48C5FF5A0DADE7CFC743D3F7B4225DDDB7CD23E56FA7DC2AB426E1ED485CC84EB5F324CC5D1F4C23A19BBB01E59E6E0686B115E92FD8FF87564E7A130971A0EC978BF4C373253AEE0963D56AFD4DCB5D7C270767880962BB660807B76F3BE7FB07EE5844BBBE27B419DDC3DA096F3811CC5F1DC2EA1401E3F0AA8FE7FB1F841626B41ED1B128DC307AEE16F8F5E5D70B3141F69EF4E67F43115BA58374FDB72C8443D9237BE3C35BEC03B1E2691888EA5EEA13AE1976AFC6F616D78F0E5230D6DBE05FDE7DFA97F7DEC0BC798AE76088C6287F45738B47F6C28888E459F9203E4FCFD8E2DC5720C5D37A862D64D3D1A8A44FB8CDEFA0CD4E8CEDBE4E8883F9AF11BF28B6F186A2550B8AE903DF2F593DF306EA5AB6291FCE4E5938BE6F1FB17BAFD10BEFA5D650E6F451E763F8644C093AFFCB92E7DA783D2E357D8FF0202DF3A2E','0.1.0+e62b473d9ebd','2026-12-05 06:48:18.326195');
INSERT INTO "articles" VALUES(3,'http://127.0.0.1:43887/news/missing',NULL,NULL,NULL,'2026-12-05 06:48:18.336094',NULL,NULL,NULL,NULL,NULL,'http://127.0.0.1:43887/news/missing: HTTP 404 Not Found',NULL,NULL,NULL);
INSERT INTO "articles" VALUES(4,'abc.txt',NULL,'Acme IND','2026-01-06','2026-12-05 06:48:20.454129','2b1d76d09be5ccf84fa2fb732bba592e0ebe9f06ffbcc5e3de623239f57ca101','BOSTON, Jan. 6, 2026 -- Acme Bio, Inc. announced that the FDA cleared its IND for ABC_101 (acme-cel).',NULL,NULL,NULL,NULL,NULL,'0.1.0+e62b473d9ebd','2026-12-05 06:48:20.465603');
CREATE TABLE event_names (
	event_id INTEGER NOT NULL, 
	name_key TEXT NOT NULL, 
	PRIMARY KEY (event_id, name_key), 
	FOREIGN KEY(event_id) REFERENCES events (id) ON DELETE CASCADE
);
INSERT INTO "event_names" VALUES(1,'mb107');
INSERT INTO "event_names" VALUES(2,'mb107');
INSERT INTO "event_names" VALUES(3,'mb107');
INSERT INTO "event_names" VALUES(4,'mb207');
INSERT INTO "event_names" VALUES(5,'ct053');
INSERT INTO "event_names" VALUES(6,'ct053');
INSERT INTO "event_names" VALUES(7,'ct053');
INSERT INTO "event_names" VALUES(8,'ct053');
INSERT INTO "event_names" VALUES(9,'abc_101');
INSERT INTO "event_names" VALUES(9,'acme''scel(abc)');
INSERT INTO "event_names" VALUES(9,'acmecel');
CREATE TABLE "events" (
	id INTEGER NOT NULL, 
	product_key TEXT NOT NULL, 
	regulator VARCHAR(32) NOT NULL, 
	kind VARCHAR(64) NOT NULL, 
	date_key VARCHAR(16) NOT NULL, 
	company TEXT, 
	product TEXT NOT NULL, 
	product_aliases TEXT NOT NULL, 
	target TEXT, 
	modality VARCHAR(32), 
	allogeneic BOOLEAN, 
	event_type VARCHAR(32) NOT NULL, 
	designation VARCHAR(64), 
	date VARCHAR(16), 
	date_precision VARCHAR(16), 
	date_start VARCHAR(10), 
	date_end VARCHAR(10), 
	indications TEXT NOT NULL, 
	first_seen_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	field_sources TEXT DEFAULT '{}' NOT NULL, 
	conflicts TEXT, 
	extractor_version VARCHAR(64), 
	first_published DATE, 
	PRIMARY KEY (id)
);
INSERT INTO "events" VALUES(1,'mb107','FDA','orphan_drug','2020-09-02','Mustang Bio','MB-107','[]','IL2RG','hsc_gene_therapy',0,'designation','orphan_drug','2020-09-02','day','2020-09-02','2020-09-02','["X-linked severe combined immunodeficiency"]','2026-12-05 06:48:18.301468','2026-12-05 06:48:18.301468','{"product": "http://127.0.0.1:43887/news/b", "company": "http://127.0.0.1:43887/news/b", "target": "http://127.0.0.1:43887/news/b", "modality": "http://127.0.0.1:43887/news/b", "allogeneic": "http://127.0.0.1:43887/news/b", "date": "http://127.0.0.1:43887/news/b", "indications": {"X-linked severe combined immunodeficiency": "http://127.0.0.1:43887/news/b"}}',NULL,'0.1.0+e62b473d9ebd','2020-09-02');
INSERT INTO "events" VALUES(2,'mb107','FDA','rare_pediatric_disease','2020-08','Mustang Bio','MB-107','[]','IL2RG','hsc_gene_therapy',0,'designation','rare_pediatric_disease','2020-08','month','2020-08-01','2020-08-31','["X-linked severe combined immunodeficiency"]','2026-12-05 06:48:18.302870','2026-12-05 06:48:18.302870','{"product": "http://127.0.0.1:43887/news/b", "company": "http://127.0.0.1:43887/news/b", "target": "http://127.0.0.1:43887/news/b", "modality": "http://127.0.0.1:43887/news/b", "allogeneic": "http://127.0.0.1:43887/news/b", "date": "http://127.0.0.1:43887/news/b", "indications": {"X-linked severe combined immunodeficiency": "http://127.0.0.1:43887/news/b"}}',NULL,'0.1.0+e62b473d9ebd','2020-09-02');
INSERT INTO "events" VALUES(3,'mb107','FDA','rmat','2019-08','Mustang Bio','MB-107','[]','IL2RG','hsc_gene_therapy',0,'designation','rmat','2019-08','month','2019-08-01','2019-08-31','["X-linked severe combined immunodeficiency"]','2026-12-05 06:48:18.303189','2026-12-05 06:48:18.303189','{"product": "http://127.0.0.1:43887/news/b", "company": "http://127.0.0.1:43887/news/b", "target": "http://127.0.0.1:43887/news/b", "modality": "http://127.0.0.1:43887/news/b", "allogeneic": "http://127.0.0.1:43887/news/b", "date": "http://127.0.0.1:43887/news/b", "indications": {"X-linked severe combined immunodeficiency": "http://127.0.0.1:43887/news/b"}}',NULL,'0.1.0+e62b473d9ebd','2020-09-02');
INSERT INTO "events" VALUES(4,'mb207','FDA','rare_pediatric_disease','2020-08-31','Mustang Bio','MB-207','[]','IL2RG','hsc_gene_therapy',0,'designation','rare_pediatric_disease','2020-08-31','day','2020-08-31','2020-08-31','["X-linked severe combined immunodeficiency"]','2026-12-05 06:48:18.307892','2026-12-05 06:48:18.307892','{"product": "http://127.0.0.1:43887/news/b", "company": "http://127.0.0.1:43887/news/b", "target": "http://127.0.0.1:43887/news/b", "modality": "http://127.0.0.1:43887/news/b", "allogeneic": "http://127.0.0.1:43887/news/b", "date": "http://127.0.0.1:43887/news/b", "indications": {"X-linked severe combined immunodeficiency": "http://127.0.0.1:43887/news/b"}}',NULL,'0.1.0+e62b473d9ebd','2020-09-02');
INSERT INTO "events" VALUES(5,'ct053','EMA','prime','2019-09-23','CARsgen Therapeutics','CT053','[]','BCMA','car_t',0,'designation','prime','2019-09-23','day','2019-09-23','2019-09-23','["relapsed or refractory multiple myeloma"]','2026-12-05 06:48:18.325228','2026-12-05 06:48:18.325228','{"product": "http://127.0.0.1:43887/news/a", "company": "http://127.0.0.1:43887/news/a", "target": "http://127.0.0.1:43887/news/a", "modality": "http://127.0.0.1:43887/news/a", "allogeneic": "http://127.0.0.1:43887/news/a", "date": "http://127.0.0.1:43887/news/a", "indications": {"relapsed or refractory multiple myeloma": "http://127.0.0.1:43887/news/a"}}',NULL,'0.1.0+e62b473d9ebd','2019-09-23');
INSERT INTO "events" VALUES(6,'ct053','FDA','ind_clearance','','CARsgen Therapeutics','CT053','[]','BCMA','car_t',0,'ind_clearance',NULL,NULL,NULL,NULL,NULL,'["relapsed or refractory multiple myeloma"]','2026-12-05 06:48:18.325563','2026-12-05 06:48:18.325563','{"product": "http://127.0.0.1:43887/news/a", "company": "http://127.0.0.1:43887/news/a", "target": "http://127.0.0.1:43887/news/a", "modality": "http://127.0.0.1:43887/news/a", "allogeneic": "http://127.0.0.1:43887/news/a", "indications": {"relapsed or refractory multiple myeloma": "http://127.0.0.1:43887/news/a"}}',NULL,'0.1.0+e62b473d9ebd','2019-09-23');
INSERT INTO "events" VALUES(7,'ct053','FDA','orphan_drug','','CARsgen Therapeutics','CT053','[]','BCMA','car_t',0,'designation','orphan_drug',NULL,NULL,NULL,NULL,'["relapsed or refractory multiple myeloma"]','2026-12-05 06:48:18.325812','2026-12-05 06:48:18.325812','{"product": "http://127.0.0.1:43887/news/a", "company": "http://127.0.0.1:43887/news/a", "target": "http://127.0.0.1:43887/news/a", "modality": "http://127.0.0.1:43887/news/a", "allogeneic": "http://127.0.0.1:43887/news/a", "indications": {"relapsed or refractory multiple myeloma": "http://127.0.0.1:43887/news/a"}}',NULL,'0.1.0+e62b473d9ebd','2019-09-23');
INSERT INTO "events" VALUES(8,'ct053','HC','ind_clearance','','CARsgen Therapeutics','CT053','[]','BCMA','car_t',0,'ind_clearance',NULL,NULL,NULL,NULL,NULL,'["relapsed or refractory multiple myeloma"]','2026-12-05 06:48:18.326045','2026-12-05 06:48:18.326045','{"product": "http://127.0.0.1:43887/news/a", "company": "http://127.0.0.1:43887/news/a", "target": "http://127.0.0.1:43887/news/a", "modality": "http://127.0.0.1:43887/news/a", "allogeneic": "http://127.0.0.1:43887/news/a", "indications": {"relapsed or refractory multiple myeloma": "http://127.0.0.1:43887/news/a"}}',NULL,'0.1.0+e62b473d9ebd','2019-09-23');
INSERT INTO "events" VALUES(9,'abc_101','FDA','ind_clearance','2026-01-06','Acme Bio, Inc.','ABC_101','["acme-cel", "Acme''s cel (ABC)"]','CD19','car_t',0,'ind_clearance',NULL,'2026-01-06','day','2026-01-06','2026-01-06','["large B-cell lymphoma"]','2026-12-05 06:48:20.464084','2026-12-05 06:48:20.464084','{"product": "abc.txt", "product_aliases": {"acme-cel": "abc.txt", "Acme''s cel (ABC)": "abc.txt"}, "company": "abc.txt", "target": "abc.txt", "modality": "abc.txt", "allogeneic": "abc.txt", "date": "abc.txt", "indications": {"large B-cell lymphoma": "abc.txt"}}',NULL,'0.1.0+e62b473d9ebd','2026-01-06');
CREATE TABLE feed_state (
	url TEXT NOT NULL, 
	source TEXT NOT NULL, 
	etag TEXT, 
	last_modified TEXT, 
	http_status INTEGER, 
	items INTEGER, 
	checked_at DATETIME, 
	error TEXT, 
	PRIMARY KEY (url)
);
INSERT INTO "feed_state" VALUES('http://127.0.0.1:43887/feed.xml','newsroom',NULL,NULL,200,3,'2026-12-05 06:48:17.988675',NULL);
CREATE TABLE mentions (
	id INTEGER NOT NULL, 
	event_id INTEGER NOT NULL, 
	article_id INTEGER NOT NULL, 
	evidence TEXT NOT NULL, 
	evidence_start INTEGER, 
	evidence_end INTEGER, reported TEXT, extractor_version VARCHAR(64), 
	PRIMARY KEY (id), 
	CONSTRAINT uq_mentions_place UNIQUE (event_id, article_id, evidence_start), 
	FOREIGN KEY(event_id) REFERENCES events (id) ON DELETE CASCADE, 
	FOREIGN KEY(article_id) REFERENCES articles (id) ON DELETE CASCADE
);
INSERT INTO "mentions" VALUES(1,1,1,'WORCESTER, Mass., Sept. 02, 2020 (GLOBE NEWSWIRE) -- Mustang Bio, Inc. (NASDAQ: MBIO), which is working to turn recent advances in cell and gene therapy into potential cures for blood cancers, solid tumors and rare inherited diseases, said today that MB-107, its lentiviral gene therapy for X-linked severe combined immunodeficiency (XSCID) in newly diagnosed infants younger than two years, has received Orphan Drug Designation from the U.S. Food and Drug Administration (FDA).',147,625,'{"company": "Mustang Bio", "product": "MB-107", "product_aliases": [], "target": "IL2RG", "modality": "hsc_gene_therapy", "allogeneic": false, "date": "2020-09-02", "date_precision": "day", "indications": ["X-linked severe combined immunodeficiency"]}','0.1.0+e62b473d9ebd');
INSERT INTO "mentions" VALUES(2,2,1,'MB-107 already held two FDA designations for XSCID in newly diagnosed patients: Rare Pediatric Disease Designation, granted in August 2020, and Regenerative Medicine Advanced Therapy (RMAT) designation, granted in August 2019.',668,894,'{"company": "Mustang Bio", "product": "MB-107", "product_aliases": [], "target": "IL2RG", "modality": "hsc_gene_therapy", "allogeneic": false, "date": "2020-08", "date_precision": "month", "indications": ["X-linked severe combined immunodeficiency"]}','0.1.0+e62b473d9ebd');
INSERT INTO "mentions" VALUES(3,3,1,'MB-107 already held two FDA designations for XSCID in newly diagnosed patients: Rare Pediatric Disease Designation, granted in August 2020, and Regenerative Medicine Advanced Therapy (RMAT) designation, granted in August 2019.',668,894,'{"company": "Mustang Bio", "product": "MB-107", "product_aliases": [], "target": "IL2RG", "modality": "hsc_gene_therapy", "allogeneic": false, "date": "2019-08", "date_precision": "month", "indications": ["X-linked severe combined immunodeficiency"]}','0.1.0+e62b473d9ebd');
INSERT INTO "mentions" VALUES(4,4,1,'On August 31, 2020, Mustang announced that the FDA had also granted Rare Pediatric Disease Designation to MB-207, its lentiviral gene therapy for XSCID patients who already underwent a hematopoietic stem cell transplantation (HSCT) and need to be re-treated.',1780,2038,'{"company": "Mustang Bio", "product": "MB-207", "product_aliases": [], "target": "IL2RG", "modality": "hsc_gene_therapy", "allogeneic": false, "date": "2020-08-31", "date_precision": "day", "indications": ["X-linked severe combined immunodeficiency"]}','0.1.0+e62b473d9ebd');
INSERT INTO "mentions" VALUES(5,5,2,'SHANGHAI, Sept. 23, 2019 /PRNewswire/ -- CARsgen Therapeutics Inc., a biopharmaceutical company in clinical development, said today that CT053, its investigational autologous CAR T-cell therapy built on a fully human anti-BCMA (B-cell maturation antigen) binder, has been admitted by the European Medicines Agency (EMA) to its PRIority MEdicines (PRIME) scheme for relapsed or refractory multiple myeloma.',113,518,'{"company": "CARsgen Therapeutics", "product": "CT053", "product_aliases": [], "target": "BCMA", "modality": "car_t", "allogeneic": false, "date": "2019-09-23", "date_precision": "day", "indications": ["relapsed or refractory multiple myeloma"]}','0.1.0+e62b473d9ebd');
INSERT INTO "mentions" VALUES(6,6,2,'Earlier, the U.S. Food and Drug Administration cleared the CT053 IND and designated the program an orphan drug, and in Canada Health Canada authorized its Clinical Trial Application (CTA).',1461,1649,'{"company": "CARsgen Therapeutics", "product": "CT053", "product_aliases": [], "target": "BCMA", "modality": "car_t", "allogeneic": false, "date": null, "date_precision": null, "indications": ["relapsed or refractory multiple myeloma"]}','0.1.0+e62b473d9ebd');
INSERT INTO "mentions" VALUES(7,7,2,'Earlier, the U.S. Food and Drug Administration cleared the CT053 IND and designated the program an orphan drug, and in Canada Health Canada authorized its Clinical Trial Application (CTA).',1461,1649,'{"company": "CARsgen Therapeutics", "product": "CT053", "product_aliases": [], "target": "BCMA", "modality": "car_t", "allogeneic": false, "date": null, "date_precision": null, "indications": ["relapsed or refractory multiple myeloma"]}','0.1.0+e62b473d9ebd');
INSERT INTO "mentions" VALUES(8,8,2,'Earlier, the U.S. Food and Drug Administration cleared the CT053 IND and designated the program an orphan drug, and in Canada Health Canada authorized its Clinical Trial Application (CTA).',1461,1649,'{"company": "CARsgen Therapeutics", "product": "CT053", "product_aliases": [], "target": "BCMA", "modality": "car_t", "allogeneic": false, "date": null, "date_precision": null, "indications": ["relapsed or refractory multiple myeloma"]}','0.1.0+e62b473d9ebd');
INSERT INTO "mentions" VALUES(9,9,4,'BOSTON, Jan. 6, 2026 -- Acme Bio, Inc. announced that the FDA cleared its IND for ABC_101 (acme-cel).',0,101,'{"company": "Acme Bio, Inc.", "product": "ABC_101", "product_aliases": ["acme-cel", "Acme''s cel (ABC)"], "target": "CD19", "modality": "car_t", "allogeneic": false, "date": "2026-01-06", "date_precision": "day", "indications": ["large B-cell lymphoma"]}','0.1.0+e62b473d9ebd');
CREATE TABLE runs (
	id INTEGER NOT NULL, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	status VARCHAR(16) NOT NULL, 
	config TEXT, 
	pid INTEGER, 
	sources INTEGER NOT NULL, 
	sources_failed INTEGER NOT NULL, 
	discovered INTEGER NOT NULL, 
	fetched INTEGER NOT NULL, 
	unchanged INTEGER NOT NULL, 
	skipped INTEGER NOT NULL, 
	failed INTEGER NOT NULL, 
	stored INTEGER NOT NULL, 
	events_new INTEGER NOT NULL, 
	events_updated INTEGER NOT NULL, 
	seconds FLOAT, 
	message TEXT, 
	PRIMARY KEY (id)
);
INSERT INTO "runs" VALUES(1,'2026-12-05 06:48:17.937815','2026-12-05 06:48:18.345471','partial','sources.toml',8043,1,0,3,2,0,0,1,2,8,0,0.41,NULL);
CREATE TABLE url_state (
	url TEXT NOT NULL, 
	fetch_url TEXT NOT NULL, 
	source TEXT NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	attempts INTEGER NOT NULL, 
	error TEXT, 
	final_url TEXT, 
	etag TEXT, 
	last_modified TEXT, 
	content_hash VARCHAR(64), 
	hint_seen TEXT, 
	hint_done TEXT, 
	first_seen_at DATETIME NOT NULL, 
	last_attempt_at DATETIME, 
	done_at DATETIME, 
	run_id INTEGER, 
	PRIMARY KEY (url)
);
INSERT INTO "url_state" VALUES('http://127.0.0.1:43887/news/a','http://127.0.0.1:43887/news/a','newsroom','done',0,NULL,'http://127.0.0.1:43887/news/a',NULL,NULL,'0724ae9b5fe5cd8364d332ca26b40185caf84347c35272b38223ee76028ec84c','Mon, 05 Jan 2026 10:00:00 GMT','Mon, 05 Jan 2026 10:00:00 GMT','2026-12-05 06:48:17.992970','2026-12-05 06:48:18.327131','2026-12-05 06:48:18.327131',1);
INSERT INTO "url_state" VALUES('http://127.0.0.1:43887/news/b','http://127.0.0.1:43887/news/b','newsroom','done',0,NULL,'http://127.0.0.1:43887/news/b',NULL,NULL,'83ebc294ed4808861b123d90fdb0826dc962f9eff67f47b204e35544b5adf828','Mon, 05 Jan 2026 10:00:00 GMT','Mon, 05 Jan 2026 10:00:00 GMT','2026-12-05 06:48:17.992970','2026-12-05 06:48:18.310358','2026-12-05 06:48:18.310358',1);
INSERT INTO "url_state" VALUES('http://127.0.0.1:43887/news/missing','http://127.0.0.1:43887/news/missing','newsroom','failed',1,'http://127.0.0.1:43887/news/missing: HTTP 404 Not Found',NULL,NULL,NULL,NULL,'Mon, 05 Jan 2026 10:00:00 GMT',NULL,'2026-12-05 06:48:17.992970','2026-12-05 06:48:18.337775',NULL,1);
CREATE INDEX ix_mentions_article_id ON mentions (article_id);
CREATE INDEX ix_events_product_key ON events (product_key);
CREATE INDEX ix_events_event_type ON events (event_type);
CREATE INDEX ix_events_company ON events (company);
CREATE INDEX ix_events_date ON events (date);
CREATE INDEX ix_events_regulator ON events (regulator);
CREATE INDEX ix_events_date_start ON events (date_start);
CREATE INDEX ix_events_regulator_date_start ON events (regulator, date_start);
CREATE INDEX ix_events_kind_date_start ON events (kind, date_start);
CREATE INDEX ix_events_first_published ON events (first_published);
CREATE INDEX ix_event_names_name_key ON event_names (name_key);
CREATE VIEW events_flat AS 
SELECT
    e.id, e.company, e.product, e.product_aliases, e.target, e.modality, e.allogeneic,
    e.regulator, e.event_type, e.designation, e.date, e.date_precision, e.indications,
    e.first_seen_at, e.updated_at,
    (SELECT COUNT(*) FROM mentions m WHERE m.event_id = e.id) AS mention_count,
    (SELECT a.url FROM mentions m JOIN articles a ON a.id = m.article_id
      WHERE m.event_id = e.id ORDER BY m.id LIMIT 1) AS first_source,
    (SELECT m.evidence FROM mentions m
      WHERE m.event_id = e.id ORDER BY m.id LIMIT 1) AS first_evidence,
    e.kind, e.date_start, e.date_end, e.first_published, e.conflicts, e.field_sources,
    e.extractor_version
FROM events e;
CREATE INDEX ix_url_state_status ON url_state (status);
CREATE INDEX ix_url_state_source ON url_state (source);
COMMIT;
