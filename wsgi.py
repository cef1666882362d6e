from procurement import create_app

app = create_app()
