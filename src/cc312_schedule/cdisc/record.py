"""The registry record of the trial (NCT07193810, last updated 2025-09-26) as data: the facts
the CDISC exports state beyond the schedule (phase, design, enrolment, conditions, objectives,
sponsor, eligibility criteria). Quoted from ``shared/reference/NCT07193810-registry-record.txt``;
the eligibility criteria are the record's words, each disease's numbered items joined into one
criterion (the record's markdown escapes removed).

>>> len(INCLUSION), len(EXCLUSION), INCLUSION[1][0]
(7, 24, 'IN02')
"""

from __future__ import annotations

__all__ = ["BLINDING", "CONDITIONS", "ENROLMENT", "EXCLUSION", "INCLUSION", "OBJECTIVES", "PHASE",
           "RECORD_DATE", "SPONSOR_TYPE"]

RECORD_DATE = "2025-09-26"  # "Last Updated: 2025-09-26"
# (CDISC submission value, NCI code): "Clinical Phase EARLY_PHASE1" (Trial Phase, C66737)
PHASE = ("EARLY PHASE I", "C54721")
# "Blinding Strategy NONE", "open-label" (Trial Blinding Schema, C66735)
BLINDING = ("OPEN LABEL", "C49659")
ENROLMENT = 6  # "Total Enrollment 6 participants"
# "CytoCares Inc ... INDUSTRY": Organization Type (C188724) "Pharmaceutical Company"
SPONSOR_TYPE = ("Pharmaceutical Company", "C54149")
# "Conditions: SLE - Systemic Lupus Erythematosus IIM- Idiopathic Inflammatory Myopathies
# SSc-Systemic Sclerosis": (code used in subjects.csv, name). No dictionary code is given: none
# could be checked offline, and a wrong one is worse than none.
CONDITIONS = (
    ("SLE", "Systemic Lupus Erythematosus"),
    ("IIM", "Idiopathic Inflammatory Myopathies"),
    ("SSc", "Systemic Sclerosis"),
)
# "designed to evaluate the safety, tolerability, pharmacokinetics (PK), and preliminary efficacy
# of CC312" (Brief Summary; the record lists no outcome measures): (level, objective, endpoint).
# The levels are this project's reading [default]: a MAD phase 1 study's primary objective is
# safety and tolerability; the endpoints name what the protocol template's procedures measure.
OBJECTIVES = (
    ("primary", "To evaluate the safety and tolerability of multiple ascending doses of CC312 in adult "
     "patients with relapsed or refractory autoimmune diseases",
     "Adverse events and laboratory abnormalities (safety labs, vital signs) from the first dose to the "
     "end of follow-up"),
    ("secondary", "To evaluate the pharmacokinetics (PK) of CC312",
     "Serum concentrations of CC312 before and after dosing (PK samples)"),
    ("exploratory", "To evaluate the preliminary efficacy of CC312",
     "B-cell (CD19+) counts and the disease activity score (SLEDAI-2K for SLE, MMT-8 for IIM, mRSS for "
     "SSc) over time"),
)

INCLUSION: tuple[tuple[str, str], ...] = (
    ('IN01', "Fully understand the trial's purpose, nature, methodology, and potential adverse reactions, voluntarily participate as a subject, and sign the informed consent form."),
    ('IN02', 'Aged 18-65 years (inclusive, based on the date of signing the informed consent form), regardless of gender.'),
    ('IN03', 'For Systemic Lupus Erythematosus (SLE): 1. Diagnosed with SLE according to the 2019 EULAR/ACR classification criteria; 2. Meet at least one of the following: positive antinuclear antibody (ANA) and/or anti-dsDNA antibody and/or anti-Sm antibody at screening; 3. Had an inadequate response or relapse after standard therapy, defined as any of the following (alone or combined): glucocorticoids, antimalarials (hydroxychloroquine), immunosuppressants (including mycophenolate mofetil, cyclophosphamide, leflunomide, methotrexate, tacrolimus, cyclosporine, azathioprine), or biologics (rituximab, belimumab, telitacicept). Each regimen must have been administered for ≥3 months, and the subject must have received ≥2 immunosuppressants and/or biologics; 4. At screening, meet SLEDAI-2000 ≥7 and have at least one BILAG A or two BILAG B organ domain scores; 5. Prior to the first dose, subjects must have received glucocorticoids and/or antimalarials and/or immunosuppressants for ≥12 weeks, with stable doses for ≥30 days; 6. If receiving oral glucocorticoids (e.g., prednisone), the dose must be ≤40 mg/day at screening and during the screening period; 7. If using glucocorticoids alone, the dose must be ≥7.5 mg/day prednisone (or equivalent).'),
    ('IN04', 'For Idiopathic Inflammatory Myopathy (IIM): 1. Diagnosed with possible or definite IIM per the 2017 EULAR/ACR classification criteria (≥5.5 points without biopsy; ≥6.7 points with biopsy); 2. Have at least one positive myositis-specific autoantibody (MSA), myositis-associated autoantibody (MAA), or ANA at or prior to screening; 3. Had an inadequate response or relapse after conventional therapy, defined as glucocorticoids (prednisone >1 mg/kg/day or equivalent) and ≥1 immunomodulatory drug (immunosuppressants: azathioprine, mycophenolate mofetil, cyclophosphamide, methotrexate, leflunomide, tacrolimus, cyclosporine; biologics: rituximab, belimumab; small molecules: tofacitinib), each for ≥3 months, with ≥2 immunosuppressants and/or biologics used; 4. Have active IIM at screening, defined as meeting ≥3 of MMT-8 total score ≤141/150 with ≥20% strength loss in affected muscles; Physician global activity ≥2; Patient global activity ≥2; MDAAT ≥2; ≥2 muscle enzymes elevated, with one ≥1.5× ULN; HAQ ≥0.25; 5. Prior to the first dose, subjects must have received glucocorticoids and/or immunosuppressants for ≥12 weeks, with stable glucocorticoid doses for ≥30 days and immunosuppressant doses for ≥60 days. Glucocorticoid dose must be ≤60 mg/day prednisone during screening; 6. If using glucocorticoids alone, the dose must be ≥7.5 mg/day prednisone.'),
    ('IN05', 'For Systemic Sclerosis (SSc): 1. Diagnosed with diffuse cutaneous SSc per the 2013 EULAR/ACR criteria; 2. Have positive ANA and/or SSc-related antibodies (e.g., Scl70, Th/To, RP11/12, U3RNP); 3. Disease duration ≤5 years (from initial diagnosis); 4. Had an inadequate response or relapse after conventional therapy (glucocorticoids + ≥1 immunomodulator: cyclophosphamide, mycophenolate mofetil, methotrexate, leflunomide, azathioprine, tacrolimus, cyclosporine, and/or biologics), each for >6 months; 5. mRSS ≥15 and ≤30 at screening with progression within 6 months; 6. Prior to the first dose, subjects must have received glucocorticoids and/or immunosuppressants for ≥12 weeks, with stable glucocorticoid doses for ≥30 days and immunosuppressant doses for ≥60 days. Glucocorticoid dose must be ≤10 mg/day during screening.'),
    ('IN06', 'Females of childbearing potential must use highly effective contraception from screening until 6 months after the last dose, refrain from oocyte donation, and ensure male partners use effective contraception.'),
    ('IN07', 'Males of childbearing potential must use effective contraception from screening until 6 months after the last dose, with no plans for fertility or sperm donation, and ensure female partners use effective contraception.'),
)

EXCLUSION: tuple[tuple[str, str], ...] = (
    ('EX01', 'Severe lupus nephritis within 8 weeks prior to screening (defined as urinary protein >6 g/24 h, serum creatinine >2.5 mg/dL or 221 μmol/L), requirement of prohibited medications for active nephritis per protocol, need for hemodialysis, or receipt of prednisone ≥100 mg/day (or equivalent glucocorticoids) for ≥14 days.'),
    ('EX02', 'Central nervous system disorders (including but not limited to epilepsy, psychosis, interstitial encephalopathy syndrome, cerebrovascular accident, encephalitis, or CNS vasculitis) within 8 weeks prior to screening.'),
    ('EX03', 'Other types of idiopathic inflammatory myopathies: inclusion body myositis, amyotrophic diabetes, or juvenile myositis; patients with severe muscle damage or permanent weakness/cardiac involvement due to non-IIM causes (e.g., stroke).'),
    ('EX04', 'SSc-related pulmonary hypertension requiring treatment; rapidly progressive SSc-related lower gastrointestinal (small/large intestine) involvement requiring parenteral nutrition; active gastric antral vascular ectasia; history of SSc-related renal crisis.'),
    ('EX05', 'History of major organ transplantation (e.g., heart, lung, kidney, liver) or hematopoietic stem cell/bone marrow transplantation.'),
    ('EX06', 'Other concurrent autoimmune diseases requiring systemic therapy.'),
    ('EX07', 'IgA deficiency (serum IgA level <10 mg/dL).'),
    ('EX08', 'Abnormal laboratory findings at screening: Liver function: AST/ALT >2× upper limit of normal (ULN) (except for IIM patients with elevated muscle enzymes); Hematology: hemoglobin <85 g/L, white blood cell count <2.5×10⁹/L, platelet count <50×10⁹/L.'),
    ('EX09', 'Participation in any other clinical trial (including cell or gene therapy) within 4 weeks prior to screening or within 5 half-lives of the investigational product (whichever is longer).'),
    ('EX10', 'Received CAR-T therapy within 6 months prior to screening.'),
    ('EX11', 'Treatment with B-cell-depleting agents (e.g., rituximab, or therapies targeting CD19/CD20/BAFF) within 1 month prior to screening, unless B-cell levels returned to pre-treatment or normal ranges.'),
    ('EX12', 'Received non-standard anti-SLE therapies (e.g., anifrolumab) within 3 months or 5 half-lives of the drug (whichever is longer) prior to screening.'),
    ('EX13', 'Received live/attenuated vaccination within 4 weeks prior to screening or plans to receive such during the trial.'),
    ('EX14', 'Active severe infection requiring antibiotic treatment within 14 days prior to screening.'),
    ('EX15', 'History of Grade 3-4 allergic reaction (per CTCAE v5.0) to another monoclonal antibody, or known hypersensitivity to any component of CC312 (e.g., recombinant proteins, polysorbate 80). Patients with transient (≤24 h) Grade ≤3 reactions may be included after discussion with the investigator.'),
    ('EX16', 'Evidence of drug abuse, substance abuse, or alcohol addiction.'),
    ('EX17', 'Major surgery within 4 weeks or minor surgery within 2 weeks prior to screening; wounds must be fully healed (procedures like catheter placement are excluded).'),
    ('EX18', 'History of cardiovascular events within 6 months prior to screening: NYHA Class III/IV heart failure, myocardial infarction, unstable angina, uncontrolled/symptomatic atrial arrhythmia, ventricular arrhythmia, or other clinically significant cardiac conditions.'),
    ('EX19', "Any other severe underlying disease (e.g., active gastric ulcer, uncontrolled seizures, cerebrovascular events, GI bleeding, severe coagulation disorders), psychiatric disorder, or social circumstances that may interfere with trial conduct, compliance, or pose high risk per investigator's judgment."),
    ('EX20', 'Concurrent malignancy diagnosed within <5 years prior to screening.'),
    ('EX21', 'Pregnant or lactating women.'),
    ('EX22', 'Positive serology for HIV antibody, HBsAg, HCV antibody, or TP antibody at screening.'),
    ('EX23', 'Active or latent tuberculosis at screening (positive TB-IGRA test).'),
    ('EX24', 'Any other condition deemed ineligible by the investigator.'),
)
