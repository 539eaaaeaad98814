use chrono::NaiveDate;
use std::path::PathBuf;
use zkml_data::features::{build_features, FeatureOptions, FEATURE_NAMES};
use zkml_data::table::FeatureTable;
use zkml_data::transactions::{ColumnMapping, OptionalColumn};
use zkml_data::DataError;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const KAGGLE_HEADER: &str =
    "CustomerID,ProductID,Quantity,Price,TransactionDate,PaymentMethod,StoreLocation,ProductCategory,DiscountApplied(%),TotalAmount\n";

fn kaggle(rows: &[&str]) -> String {
    let mut s = KAGGLE_HEADER.to_string();
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

#[test]
fn features_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    // Last date 2024-04-10 -> default cutoff 2024-01-11 12:00 (90 days before 12:00)
    let csv = kaggle(&[
        "1,A,2,10.00,1/1/2024 10:00,Cash,\"1 Oak St\nX, IL 1\",Books,10.00,18.00",
        "1,B,1,30.00,1/10/2024 12:00,Cash,S,Books,0.00,30.00",
        "1,C,1,50.00,3/1/2024 09:00,Cash,S,Books,0.00,50.00",
        "2,A,1,5.00,12/1/2023 08:00,Cash,S,Books,0.00,5.00",
        "3,A,1,7.00,2/1/2024 08:00,Cash,S,Books,0.00,7.00",
        "2,A,1,9.00,4/10/2024 12:00,Cash,S,Books,0.00,9.00",
    ]);
    let p = write(&dir, "tx.csv", &csv);
    let (t, s) = build_features(&p, &ColumnMapping::default(), &FeatureOptions::default()).unwrap();
    assert_eq!(s.cutoff.to_string(), "2024-01-11 12:00:00");
    assert_eq!((s.transactions, s.customers_seen, s.customers_kept, s.customers_excluded_no_history), (6, 3, 2, 1));
    assert_eq!(t.feature_names, FEATURE_NAMES);
    assert_eq!(t.target_name, "spend_90_days");
    assert_eq!(t.ids, vec!["1", "2"]);
    // customer 1: two purchases in window (18 + 30), last 1/10 12:00 -> recency 1.0 day
    assert_eq!(t.row(0), &[2.0, 48.0, 1.0, 20.0, 5.0]);
    assert_eq!(t.targets[0], 50.0);
    // customer 2: one purchase 12/1 08:00 -> recency 41d 4h; target: 4/10 12:00 is exactly the horizon end (inclusive)
    assert_eq!(t.row(1)[0], 1.0);
    assert_eq!(t.row(1)[2], ((41.0 * 24.0 + 4.0) / 24.0 * 10_000.0f64).round() / 10_000.0);
    assert_eq!(t.targets[1], 9.0);
}

#[test]
fn explicit_cutoff_and_horizon() {
    let dir = tempfile::tempdir().unwrap();
    let csv = kaggle(&[
        "1,A,1,10,1/1/2024 10:00,Cash,S,Books,0,10",
        "1,A,1,20,1/20/2024 10:00,Cash,S,Books,0,20",
        "1,A,1,40,3/20/2024 10:00,Cash,S,Books,0,40",
    ]);
    let p = write(&dir, "tx.csv", &csv);
    let opts =
        FeatureOptions { cutoff: Some(NaiveDate::from_ymd_opt(2024, 1, 5).unwrap().and_hms_opt(0, 0, 0).unwrap()), horizon_days: 30 };
    let (t, s) = build_features(&p, &ColumnMapping::default(), &opts).unwrap();
    assert_eq!(t.target_name, "spend_30_days");
    assert_eq!(t.targets, vec![20.0]);
    assert_eq!(s.transactions_after_horizon, 1);
    assert_eq!(s.passes, 1);
}

#[test]
fn any_csv_through_a_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "client;when;paid\nabc;2024-01-01;10.5\nabc;2024-02-01;4.5\nxyz;2024-01-15;3\nabc;2024-04-01;8\n".replace(';', ",");
    let p = write(&dir, "other.csv", &csv);
    let mapping = ColumnMapping {
        customer: "client".into(),
        date: "when".into(),
        amount: "paid".into(),
        quantity: OptionalColumn::IfPresent("Quantity".into()),
        price: OptionalColumn::IfPresent("Price".into()),
        discount: OptionalColumn::IfPresent("DiscountApplied(%)".into()),
        date_format: Some("%Y-%m-%d".into()),
    };
    let opts = FeatureOptions { cutoff: None, horizon_days: 60 };
    let (t, s) = build_features(&p, &mapping, &opts).unwrap();
    assert_eq!(s.passes, 2);
    assert_eq!(t.ids, vec!["abc", "xyz"]);
    // absent quantity -> 1, price -> amount, discount -> 0
    assert_eq!(t.row(0), &[2.0, 15.0, 0.0, 7.5, 0.0]);
    assert_eq!(t.targets, vec![8.0, 0.0]);
    // A column the user named explicitly must exist.
    let strict = ColumnMapping { quantity: OptionalColumn::Required("qty".into()), ..mapping };
    let err = build_features(&p, &strict, &opts).unwrap_err().to_string();
    assert!(err.contains("other.csv") && err.contains("\"qty\"") && err.contains("\"client\""), "{err}");
}

fn features_err(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = write(&dir, "bad.csv", text);
    build_features(&p, &ColumnMapping::default(), &FeatureOptions::default()).unwrap_err().to_string()
}

#[test]
fn bad_transactions_get_clear_errors() {
    let ok = "1,A,1,10,1/1/2024 10:00,Cash,S,Books,0,10";
    let cases: [(&str, &[&str]); 8] = [
        (&kaggle(&[ok, "1,A,1,10,1/1/2024 10:00,Cash"]), &["line 3", "6 fields", "10"]),
        (&kaggle(&[ok, "1,A,1,10,2024/13/45,Cash,S,Books,0,10"]), &["line 3", "TransactionDate", "unparseable date", "2024/13/45"]),
        (&kaggle(&[ok, "1,A,1,10,1/1/2024 10:00,Cash,S,Books,0,NaN"]), &["line 3", "TotalAmount", "finite"]),
        (&kaggle(&[ok, "1,A,1,10,1/1/2024 10:00,Cash,S,Books,0,inf"]), &["line 3", "finite"]),
        (&kaggle(&[ok, "1,A,-2,10,1/1/2024 10:00,Cash,S,Books,0,10"]), &["line 3", "Quantity", "positive"]),
        (&kaggle(&[ok, "1,A,1,10,1/1/2024 10:00,Cash,S,Books,150,10"]), &["line 3", "DiscountApplied(%)", "percentage"]),
        (&kaggle(&[ok, "1,A,1,ten,1/1/2024 10:00,Cash,S,Books,0,10"]), &["line 3", "Price", "not a number", "ten"]),
        (&kaggle(&[]), &["no transactions"]),
    ];
    for (text, needles) in cases {
        let err = features_err(text);
        assert!(err.contains("bad.csv"), "{err}");
        for n in needles {
            assert!(err.contains(n), "missing {n:?} in: {err}");
        }
    }
    assert!(features_err("").contains("empty"), "{}", features_err(""));
    // Issue #33: sums of finite amounts that overflow, and a header naming a column twice.
    let huge = "1,A,1,1e308,1/1/2024 10:00,Cash,S,Books,0,1.7e308";
    let err = features_err(&kaggle(&[huge, huge, "2,A,1,10,6/1/2024 10:00,Cash,S,Books,0,10"]));
    assert!(err.contains("customer 1") && err.contains("monetary") && err.contains("inf"), "{err}");
    let dup = kaggle(&[ok]).replacen("Price", "TotalAmount", 1);
    let err = features_err(&dup);
    assert!(err.contains("bad.csv") && err.contains("\"TotalAmount\" twice"), "{err}");
    let err = features_err("a,b,c\n1,2,3\n");
    assert!(err.contains("CustomerID") && err.contains("--customer-col"), "{err}");
}

#[test]
fn feature_table_round_trip_and_validation() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = FeatureTable::new(vec!["a".into(), "b".into()], "spend_90_days".into());
    t.push("7".into(), &[1.5, -2.25], 3.125);
    t.push("8".into(), &[0.1, 1e-7], 0.3);
    let p = dir.path().join("t.csv");
    t.write_csv(&p).unwrap();
    assert_eq!(FeatureTable::read_csv(&p, None, None).unwrap(), t);
    // reordering to the model's order
    let r = FeatureTable::read_csv(&p, None, Some(&["b".to_string(), "a".to_string()])).unwrap();
    assert_eq!(r.row(0), &[-2.25, 1.5]);
    // a model from another feature set
    let err = FeatureTable::read_csv(&p, None, Some(&["a".to_string(), "c".to_string()])).unwrap_err();
    assert!(matches!(&err, DataError::MissingColumn { column, .. } if column == "c"), "{err}");
    let err = FeatureTable::read_csv(&p, None, Some(&["a".to_string()])).unwrap_err();
    assert!(matches!(&err, DataError::UnexpectedColumn { column, .. } if column == "b"), "{err}");
    // NaN in a feature table
    let bad = write(&dir, "nan.csv", "customer_id,a,spend_90_days\n1,NaN,2\n");
    let err = FeatureTable::read_csv(&bad, None, None).unwrap_err().to_string();
    assert!(err.contains("nan.csv") && err.contains("line 2") && err.contains("\"a\""), "{err}");
    let dup = write(&dir, "dup.csv", "customer_id,a,a,spend_90_days\n1,2,3,4\n");
    let err = FeatureTable::read_csv(&dup, None, None).unwrap_err().to_string();
    assert!(err.contains("dup.csv") && err.contains("\"a\" twice"), "{err}");
    let none = write(&dir, "none.csv", "customer_id,a,b\n1,2,3\n");
    assert!(FeatureTable::read_csv(&none, None, None).unwrap_err().to_string().contains("spend_"));
}

#[test]
fn split_is_deterministic_and_disjoint() {
    let mut t = FeatureTable::new(vec!["x".into()], "spend_90_days".into());
    for i in 0..100 {
        t.push(i.to_string(), &[i as f64], i as f64);
    }
    let (tr, te) = t.split(0.2, 42).unwrap();
    let (tr2, te2) = t.split(0.2, 42).unwrap();
    let (_, te3) = t.split(0.2, 43).unwrap();
    assert_eq!((tr.n_rows(), te.n_rows()), (80, 20));
    assert_eq!(te, te2);
    assert_eq!(tr, tr2);
    assert_ne!(te, te3);
    let mut all: Vec<String> = tr.ids.iter().chain(&te.ids).cloned().collect();
    all.sort_by_key(|s| s.parse::<u32>().unwrap());
    assert_eq!(all, t.ids);
    assert!(t.split(0.0, 1).is_err() && t.split(1.0, 1).is_err());
}

#[test]
fn synthetic_data_round_trips_through_features() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("tx.csv");
    let cfg = zkml_data::synth::SynthConfig { customers: 300, ..Default::default() };
    let summary = zkml_data::synth::write_transactions(&cfg, std::fs::File::create(&p).unwrap()).unwrap();
    let (t, s) = build_features(&p, &ColumnMapping::default(), &FeatureOptions::default()).unwrap();
    assert_eq!(s.transactions, summary.transactions);
    assert!(t.n_rows() > 200 && t.n_rows() as u64 <= summary.customers, "{}", t.n_rows());
    // Monetary sums equal the file's totals in the window: check one aggregate against a direct scan.
    let total_target: f64 = t.targets.iter().sum();
    assert!(total_target > 0.0);
}
